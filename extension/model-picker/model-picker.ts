import * as vscode from 'vscode';
import type { CatalogEntry } from '../../proxy/catalog/catalog.js';
import { notifyProblem } from '../notify.js';
import type { ExtensionServices } from '../services.js';
import { buildPickerRows, type PickerRow } from './picker-items.js';

interface ModelItem extends vscode.QuickPickItem {
  modelId?: string;
}

const REFRESH: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh the model list' };
const STAR: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('star-empty'), tooltip: 'Add to favourites' };
const UNSTAR: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('star-full'), tooltip: 'Remove from favourites' };

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

/** "ModAPI: Select Model": the catalog grouped by modality and provider, favourites and recent
 * models first, searchable by id, name and provider, with refresh and star buttons. */
export const pickModel = async (services: ExtensionServices): Promise<string | undefined> => {
  const picker = vscode.window.createQuickPick<ModelItem>();
  picker.title = 'ModAPI: Select Model';
  picker.placeholder = 'Search models by id, name or provider';
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.buttons = [REFRESH];
  picker.busy = true;
  picker.show();

  let models: CatalogEntry[] = [];
  const render = (): void => {
    const activeId = picker.activeItems[0]?.modelId;
    picker.items = buildPickerRows(models, { current: services.models.current, recent: services.models.recent, favourites: services.models.favourites }).map(toItem);
    const active = picker.items.find((item) => item.modelId === activeId);
    if (active) picker.activeItems = [active];
  };
  const load = async (forceRefresh: boolean): Promise<void> => {
    picker.busy = true;
    try {
      const catalog = await services.catalog();
      models = await catalog.list(forceRefresh);
      render();
    } catch (error) {
      void notifyProblem(services.log, 'error', 'ModAPI: could not load the model list.', (error as Error).message);
    } finally {
      picker.busy = false;
    }
  };

  return new Promise<string | undefined>((resolve) => {
    let chosen: string | undefined;
    picker.onDidTriggerButton((button) => {
      if (button === REFRESH) void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ModAPI: refreshing the model list' }, () => load(true));
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
