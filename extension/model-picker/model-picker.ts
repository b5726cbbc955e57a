import * as vscode from 'vscode';
import type { Modality } from '../../proxy/adapters/types.js';
import type { CatalogEntry } from '../../proxy/catalog/catalog.js';
import { qualityByModel } from '../../proxy/usage/model-quality.js';
import { notifyProblem } from '../notify.js';
import type { ExtensionServices } from '../services.js';
import { modalityLabel, modalityPrefix, nextModality, qualityText } from './model-filters.js';
import { buildPickerRows, type PickerRow } from './picker-items.js';

interface ModelItem extends vscode.QuickPickItem {
  modelId?: string;
}

const REFRESH: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh the model list' };
const FILTER: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('filter'), tooltip: 'Next modality (or type image:, vision:, speech:, all: ...)' };
const STAR: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('star-empty'), tooltip: 'Add to favourites' };
const UNSTAR: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('star-full'), tooltip: 'Remove from favourites' };
/** The quality figures beside each model cover this many days of ratings. */
const FIGURES_DAYS = 30;

const toItem = (row: PickerRow): ModelItem =>
  row.kind === 'separator'
    ? { label: row.label, kind: vscode.QuickPickItemKind.Separator }
    : {
        label: `${row.current ? '$(check) ' : ''}${row.label}`,
        description: row.description,
        detail: row.detail,
        modelId: row.id,
        buttons: [row.favourite ? UNSTAR : STAR],
      };

export interface PickModelOptions {
  title?: string;
  /** Only these catalog entries are offered (the chat view's compare slots take chat models). */
  only?: (entry: CatalogEntry) => boolean;
}

/** Each model's quality line from the last weeks' ratings (nothing while no ledger is connected). */
const qualityFigures = async (services: ExtensionServices): Promise<Map<string, string>> => {
  const fromDay = new Date(Date.now() - FIGURES_DAYS * 86_400_000).toISOString().slice(0, 10);
  const ratings = (await services.ratings()?.list({ fromDay })) ?? [];
  const figures = new Map<string, string>();
  for (const [model, quality] of qualityByModel(ratings)) {
    const text = qualityText(quality);
    if (text) figures.set(model, text);
  }
  return figures;
};

/** "ModAPI: Select Model" (also opened from the chat view): the catalog grouped by modality and
 * provider, favourites and recent models first, searchable by id, name and provider, narrowed by
 * modality (typed prefix or button), with context window, price and quality figures, and only the
 * models `modapi.workspace.allowedModels` allows here. */
export const pickModel = async (services: ExtensionServices, options: PickModelOptions = {}): Promise<string | undefined> => {
  const picker = vscode.window.createQuickPick<ModelItem>();
  const title = options.title ?? 'ModAPI: Select Model';
  picker.title = title;
  picker.placeholder = 'Search models by id, name or provider; type image:, vision:, speech: ... to narrow, all: for every model';
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.buttons = [FILTER, REFRESH];
  picker.busy = true;
  picker.show();

  let models: CatalogEntry[] = [];
  let figures = new Map<string, string>();
  let modality: Modality | undefined;
  const render = (): void => {
    const activeId = picker.activeItems[0]?.modelId;
    picker.title = `${title} · ${modalityLabel(modality)}`;
    const shown = modality === undefined ? models : models.filter((entry) => entry.modalities.includes(modality!));
    picker.items = buildPickerRows(shown, { current: services.models.current, recent: services.models.recent, favourites: services.models.favourites, figures }).map(toItem);
    const active = picker.items.find((item) => item.modelId === activeId);
    if (active) picker.activeItems = [active];
  };
  const load = async (forceRefresh: boolean): Promise<void> => {
    picker.busy = true;
    try {
      const catalog = await services.catalog();
      const allowance = services.allowance();
      models = allowance.filter(await catalog.list(forceRefresh)).filter((entry) => options.only?.(entry) ?? true);
      figures = await qualityFigures(services).catch(() => new Map<string, string>());
      render();
    } catch (error) {
      void notifyProblem(services.log, 'error', 'ModAPI: could not load the model list.', (error as Error).message);
    } finally {
      picker.busy = false;
    }
  };

  return new Promise<string | undefined>((resolve) => {
    let chosen: string | undefined;
    picker.onDidChangeValue((value) => {
      const prefix = modalityPrefix(value);
      if (!prefix) return;
      modality = prefix.modality === 'all' ? undefined : prefix.modality;
      picker.value = prefix.rest;
      render();
    });
    picker.onDidTriggerButton((button) => {
      if (button === REFRESH) void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ModAPI: refreshing the model list' }, () => load(true));
      if (button === FILTER) {
        modality = nextModality(modality);
        render();
      }
    });
    picker.onDidTriggerItemButton(async (event) => {
      if (!event.item.modelId) return;
      await services.models.toggleFavourite(event.item.modelId);
      render();
    });
    picker.onDidAccept(() => {
      chosen = picker.selectedItems[0]?.modelId;
      picker.hide();
    });
    picker.onDidHide(() => {
      picker.dispose();
      resolve(chosen);
    });
    void load(false);
  });
};
