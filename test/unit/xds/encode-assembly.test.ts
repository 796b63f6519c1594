/**
 * The pipeline's RouteConfiguration assembly from separately encoded virtual hosts must give the
 * very bytes a full encode gives (protobuf: a repeated field is the concatenation of its
 * elements), and its cache must hand back the same encoding for the same message.
 */
import { describe, expect, it } from "vitest";
import { RenderCache, assembleRouteConfiguration } from "../../../src/pipeline/cache";
import { encodeMessage, encodeResource } from "../../../src/xds/encode";
import { renderGateway } from "../../../src/xds/render";
import { TypeUrl } from "../../../src/xds/types";
import { gateway } from "./render-fixtures";

describe("RouteConfiguration assembly", () => {
  it("equals a full encode, byte for byte", () => {
    for (const rc of renderGateway(gateway).routes) {
      const vhosts = (rc.virtualHosts as Array<Record<string, unknown>>).map(vh => encodeMessage("envoy.config.route.v3.VirtualHost", vh));
      const assembled = assembleRouteConfiguration({ ...rc, virtualHosts: undefined }, vhosts);
      expect(Buffer.from(assembled).equals(Buffer.from(encodeMessage(TypeUrl.Route, rc)))).toBe(true);
    }
  });

  it("the cache's encoder gives encodeResource's bytes and version, and refuses what it refuses", () => {
    const cache = new RenderCache();
    const r = renderGateway(gateway, cache);
    for (const rc of r.routes) {
      const ours = cache.encode(TypeUrl.Route, rc);
      const plain = encodeResource(TypeUrl.Route, rc);
      expect(ours.version).toBe(plain.version);
      expect(cache.encode(TypeUrl.Route, rc)).toBe(ours);
    }
    const bad = { name: "x", virtualHosts: [{ name: "v", domains: ["*"], routez: [] }] };
    expect(() => cache.encode(TypeUrl.Route, bad)).toThrow(/routez: not a field/);
  });

  it("equal IR renders to the same message objects through the cache", () => {
    const cache = new RenderCache();
    const a = renderGateway(gateway, cache);
    const b = renderGateway(structuredClone(gateway), cache);
    expect(b.clusters[0]).toBe(a.clusters[0]);
    expect((b.routes[1].virtualHosts as unknown[])[0]).toBe((a.routes[1].virtualHosts as unknown[])[0]);
    expect(b.routes[1]).toEqual(a.routes[1]);
  });
});
