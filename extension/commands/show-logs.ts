import type { ModapiCommand } from './command.js';

export const showLogs: ModapiCommand = {
  id: 'modapi.showLogs',
  run(services) {
    services.log.show();
  },
};
