/**
 * `@sluice/plugin-reddit`: skeleton; the plugin is built in its own issue.
 * @packageDocumentation
 */
/** Plugin name, as it will appear in the plugin manifest. */
export const pluginName = '@sluice/plugin-reddit';
