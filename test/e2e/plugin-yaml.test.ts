import { pluginRecipeScenario } from "./plugin-recipe";

// A YAML program on the resource plugin, from docs/yaml.md's recipe, through the real CLI (plugin-recipe.ts).
pluginRecipeScenario("yaml");
