/** The usage panel's webview type (its serializer is registered at activation, the panel loads later). */
export const USAGE_PANEL_TYPE = 'modapi.usagePanel';
