import { PeprModule } from "pepr";
import cfg from "./package.json";
import { Gateway } from "./capabilities/gateway";
import { moduleOptions } from "./capabilities/guard";
import "./capabilities/watch";

new PeprModule(cfg, [Gateway], moduleOptions);
