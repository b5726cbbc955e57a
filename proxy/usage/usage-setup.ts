import { Governance } from '../governance/governance.js';
import type { OverallBudget } from '../governance/budgets.js';
import type { TagPolicy } from '../governance/tag-policies.js';
import type { Logger } from '../logger.js';
import { logLedgerLoad, UsageLedger } from './usage-ledger.js';
import { teeUsage, type UsageSink } from './usage-record.js';

export interface UsageOptions {
  /** A ledger the caller keeps across gateway restarts (the extension); else one is opened here. */
  ledger?: UsageLedger;
  /** Folder for the monthly ledger files; without it (and without `ledger`), usage is kept in memory. */
  ledgerDir?: string;
  /** Wait for the disk on every record (power-loss safety, at a cost per request). */
  ledgerFsync?: boolean;
  /** Overall, team and customer budgets (per-token budgets come with the tokens). */
  budget?: OverallBudget;
  /** Policies by tag or team: which models the requests they match may use. */
  tagPolicies?: TagPolicy[];
  /** An extra sink that sees every record; a UsageLedger given here is taken as the ledger. */
  usage?: UsageSink;
}

export interface UsageParts {
  ledger: UsageLedger;
  governance: Governance;
  usage: UsageSink;
  /** Closes what was opened here (a ledger passed in stays open). */
  close(): void;
}

/** The ledger, the sink the requests write to, and governance over the ledger's rollups. */
export const setUpUsage = (options: UsageOptions, log: Logger): UsageParts => {
  // A ledger given as the usage sink (the extension keeps one across restarts) is the ledger.
  const given = options.ledger ?? (options.usage instanceof UsageLedger ? options.usage : undefined);
  const ledger = given ?? new UsageLedger({ dir: options.ledgerDir, fsync: options.ledgerFsync });
  if (!given && options.ledgerDir) void logLedgerLoad(ledger, options.ledgerDir, log);
  const governance = new Governance(ledger.rollups, options.budget ?? {}, log);
  if (options.tagPolicies) governance.setTagPolicies(options.tagPolicies);
  return {
    ledger,
    governance,
    usage: options.usage && options.usage !== ledger ? teeUsage(ledger, options.usage) : ledger,
    close: () => {
      if (!given) ledger.close();
    },
  };
};

