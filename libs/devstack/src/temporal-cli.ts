/**
 * The Temporal CLI (which embeds the dev server). Neither npm nor Debian ship
 * it and the SDK cannot download it here, so it is built from Go modules,
 * pinned to a release whose go.mod `go install` accepts.
 */
import { ensureGoTool, findGoTool, type GoTool } from './go-tools';

const temporalCli: GoTool = {
  name: 'temporal',
  title: 'the Temporal CLI',
  pkg: 'github.com/temporalio/cli/cmd/temporal',
  version: 'v1.5.1',
  envVar: 'TEMPORAL_CLI',
};

export const findTemporalCli = (): string | undefined => findGoTool(temporalCli);

export const ensureTemporalCli = (log: (line: string) => void): Promise<string> => ensureGoTool(temporalCli, log);
