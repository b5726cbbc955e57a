/** Chart colours are VS Code's own chart theme variables, read when the chart is drawn, so a theme
 * switch (light, dark, high contrast) redraws it in the new colours. */
const LAYER_VARIABLES = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red'];

const cssVariable = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

export interface ChartColors {
  layers: string[];
  other: string;
  axis: string;
  grid: string;
  /** Separates stacked layers; the contrast border in high contrast themes. */
  edge: string;
}

export const chartColors = (): ChartColors => ({
  layers: LAYER_VARIABLES.map((name) => cssVariable(name, cssVariable('--vscode-foreground', '#888'))),
  other: cssVariable('--vscode-descriptionForeground', '#888'),
  axis: cssVariable('--vscode-charts-foreground', cssVariable('--vscode-foreground', '#888')),
  grid: cssVariable('--vscode-charts-lines', 'rgba(128,128,128,0.3)'),
  edge: cssVariable('--vscode-contrastBorder', cssVariable('--vscode-editor-background', 'transparent')),
});
