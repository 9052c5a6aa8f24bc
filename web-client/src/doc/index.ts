export * from "./schema";
export * from "./hydrate";
export * as ops from "./ops";
export * from "./math";
