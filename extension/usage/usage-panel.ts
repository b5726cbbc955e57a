import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { describeGatewayState } from '../gateway/gateway-state.js';
import type { ExtensionServices } from '../services.js';
import { currentBudgets } from './current-budgets.js';
import { USAGE_PANEL_TYPE } from './panel-type.js';
import { parseUsageViewMessage, type ChartStack, type UsageHostMessage, type UsageRange, type UsageViewMessage } from './protocol.js';
import { trailingThrottle } from './throttle.js';
import { exportToFile } from './export-to-file.js';
import { exportFileName, type ExportRequest } from './usage-export.js';
import { buildReportCard } from './report-card.js';
import { rangeFor } from './usage-periods.js';
import { buildSnapshot } from './usage-snapshot.js';
import type { UsageSource } from './usage-source.js';
import { usagePanelHtml } from './webview-html.js';

/** A new record shows in the panel this long after it is written, at most (bursts become one update). */
export const LIVE_UPDATE_DELAY_MS = 250;
/** The report card reads every record of the range, so live updates of it come less often. */
export const REPORT_CARD_DELAY_MS = 2_000;

/** The usage panel: one editor-area webview. The page only draws; every number comes from the
 * ledger here and reaches it as a typed snapshot, and everything it asks for is validated. */
export class UsagePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private range: UsageRange = '30d';
  private stackBy: ChartStack = 'provider';
  private readonly disposables: vscode.Disposable[] = [];
  private readonly live = trailingThrottle(() => this.postSnapshot('live'), LIVE_UPDATE_DELAY_MS);
  private readonly liveCard = trailingThrottle(() => void this.postReportCard(), REPORT_CARD_DELAY_MS);
  /** Only the latest report card is posted when two are being built at once. */
  private cardRuns = 0;

  constructor(
    private readonly services: ExtensionServices,
    private readonly source: UsageSource,
  ) {
    this.disposables.push(
      source.onDidRecord(() => {
        this.live.schedule();
        this.liveCard.schedule();
      }),
      source.onDidChange(() => this.live.schedule()),
      services.onDidRate(() => this.liveCard.schedule()),
      source.onBudgetWarning(() => this.live.schedule()),
      services.gateway.onDidChangeState(() => this.live.schedule()),
    );
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(USAGE_PANEL_TYPE, 'ModAPI Usage', vscode.ViewColumn.Active, { ...this.webviewOptions(), retainContextWhenHidden: true });
    this.adopt(panel);
  }

  /** A panel VS Code brought back after a reload (its page keeps its range and stacking in its
   * own state, and asks for a snapshot when ready). */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      panel.dispose();
      this.panel.reveal();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.adopt(panel);
  }

  private webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, enableCommandUris: false, localResourceRoots: [this.mediaRoot()] };
  }

  private mediaRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.services.extensionContext.extensionUri, 'dist', 'media');
  }

  private adopt(panel: vscode.WebviewPanel): void {
    const mediaRoot = this.mediaRoot();
    panel.webview.html = usagePanelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'usage.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'usage.css')).toString(),
    });
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.received(raw)),
      // Ratings made in the chat view meanwhile show when the panel is looked at again.
      panel.onDidChangeViewState(() => {
        if (panel.visible) void this.postReportCard();
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.live.cancel();
        this.liveCard.cancel();
        for (const subscription of subscriptions) subscription.dispose();
      }),
    ];
    this.panel = panel;
  }

  private received(raw: unknown): void {
    const message = parseUsageViewMessage(raw);
    if (!message) {
      this.services.log.warn(`usage panel: dropped a message outside the protocol (${typeof raw === 'object' && raw ? String((raw as { type?: unknown }).type) : typeof raw})`);
      return;
    }
    this.handle(message).catch((error: unknown) => {
      this.services.log.error(`usage panel: ${message.type} failed: ${(error as Error).message}`);
      this.post({ type: 'notice', level: 'error', message: this.services.log.redactor.redact((error as Error).message) });
    });
  }

  private async handle(message: UsageViewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.range = message.range;
        this.stackBy = message.stackBy;
        this.postSnapshot('initial');
        await this.postReportCard();
        return;
      case 'set-view':
        this.range = message.range;
        this.stackBy = message.stackBy;
        this.postSnapshot('query');
        await this.postReportCard();
        return;
      case 'export':
        await this.export(message);
        return;
      case 'copy-gateway-url':
        await vscode.commands.executeCommand('modapi.copyGatewayUrl');
        return;
      case 'copy-token':
        await vscode.commands.executeCommand('modapi.copyLocalToken');
        return;
      case 'open-chat':
        await vscode.commands.executeCommand('modapi.openChat');
        return;
    }
  }

  private post(message: UsageHostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private postSnapshot(reason: 'initial' | 'live' | 'query'): void {
    if (!this.panel) return;
    const running = this.services.gateway.current();
    const ledger = this.source.currentLedger();
    const snapshot = buildSnapshot({
      reader: ledger,
      loading: ledger?.loadProgress,
      range: this.range,
      stackBy: this.stackBy,
      budgets: currentBudgets(this.source),
      gateway: { url: running?.url ?? null, status: describeGatewayState(this.services.gateway.state), exampleModel: this.services.models.current ?? 'gpt-4o' },
      now: new Date(),
    });
    this.post({ type: 'snapshot', snapshot, reason });
  }

  /** Per model over the range: the ledger's records of it read once, with the ratings. */
  private async postReportCard(): Promise<void> {
    const ledger = this.source.currentLedger();
    if (!this.panel || !ledger) return;
    const run = (this.cardRuns += 1);
    const range = rangeFor(this.range, new Date());
    try {
      const card = await buildReportCard(ledger.records(range), await ledger.ratings.list(range), range);
      if (run === this.cardRuns) this.post({ type: 'report-card', card });
    } catch (error) {
      this.services.log.error(`usage panel: the report card could not be built: ${(error as Error).message}`);
    }
  }

  /** Asks where to save, then writes the CSV the ledger's own code builds for that view, in steps
   * with a progress notification (a year of requests takes a while to read). */
  private async export(request: ExportRequest): Promise<void> {
    const ledger = this.source.currentLedger();
    if (!ledger) throw new Error('No usage is recorded yet: the ledger is not connected.');
    const range = rangeFor(this.range, new Date());
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
    const target = await vscode.window.showSaveDialog({
      title: 'Export usage as CSV',
      saveLabel: 'Export',
      defaultUri: vscode.Uri.joinPath(folder, exportFileName(request, range)),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    const rows = await exportToFile(ledger, request, range, target);
    if (rows === undefined) {
      this.post({ type: 'notice', level: 'info', message: 'Export cancelled.' });
      return;
    }
    this.services.log.info(`usage panel: exported ${rows} row(s) to ${target.fsPath}`);
    this.post({ type: 'notice', level: 'info', message: `Exported ${rows} row${rows === 1 ? '' : 's'} to ${target.fsPath}` });
  }

  dispose(): void {
    this.live.cancel();
    this.liveCard.cancel();
    this.panel?.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
