import { keyStateChange } from "./key-state-change";

export const disableKey = keyStateChange("DisableKey", "Disabled");
