import * as vscode from 'vscode';
import { pickModel } from '../model-picker/model-picker.js';
import type { ModapiCommand } from './command.js';

export const selectModel: ModapiCommand = {
  id: 'modapi.selectModel',
  async run(services) {
    const chosen = await pickModel(services);
    if (!chosen) return;
    await services.models.choose(chosen);
    services.log.info(`model selected: ${chosen}`);
    vscode.window.setStatusBarMessage(`ModAPI: ${chosen} selected`, 3_000);
  },
};
