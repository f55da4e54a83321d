// Version constants shared by the extension, the trainer and the webview.

/** Bumped whenever a message or event shape changes incompatibly; both ends compare it in the handshake. */
export const PROTOCOL_VERSION = 1;

/** The `version` a config file may declare. */
export const CONFIG_FORMAT_VERSION = 1;
