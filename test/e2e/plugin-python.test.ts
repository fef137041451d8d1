import { pluginRecipeScenario } from "./plugin-recipe";

// A Python program on the resource plugin, from docs/python.md's recipe, through the real CLI (plugin-recipe.ts).
pluginRecipeScenario("python");
