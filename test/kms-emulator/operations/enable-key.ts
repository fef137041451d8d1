import { keyStateChange } from "./key-state-change";

export const enableKey = keyStateChange("EnableKey", "Enabled");
