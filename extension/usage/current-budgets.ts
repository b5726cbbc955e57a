import type { OverallBudget } from '../../proxy/governance/budgets.js';
import { readModapiSettings } from '../modapi-settings.js';
import { overallBudgetFrom } from '../gateway/gateway-options.js';
import type { BudgetView } from './protocol.js';
import { budgetViews } from './budget-view.js';
import type { UsageSource } from './usage-source.js';

/** The overall budget the running gateway enforces; from the settings while none runs (0 = none). */
const overallBudget = (source: UsageSource): OverallBudget => {
  const governed = source.currentGovernance()?.overallBudget;
  if (governed) return governed;
  return overallBudgetFrom(readModapiSettings());
};

/** Every budget in force with its spending, or none while no ledger is connected. */
export const currentBudgets = (source: UsageSource): BudgetView[] => {
  const ledger = source.currentLedger();
  return ledger ? budgetViews(ledger.rollups, overallBudget(source), []) : [];
};
