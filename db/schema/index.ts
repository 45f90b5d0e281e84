export * from "./enums";
export * from "./payers";
export * from "./members";
export * from "./orders";
export * from "./claims";
export * from "./imports";
export * from "./derived";
