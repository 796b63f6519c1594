import { PeprModule } from "pepr";
import cfg from "./package.json";
import { Gateway } from "./capabilities/gateway";

new PeprModule(cfg, [Gateway]);
