/** Prometheus's promtool, which checks and unit-tests deploy/prometheus in `npm test`; built from Go modules (about 10 CPU-minutes, once). */
import { ensureGoTool, findGoTool, type GoTool } from './go-tools';

const promtool: GoTool = {
  name: 'promtool',
  title: 'promtool',
  pkg: 'github.com/prometheus/prometheus/cmd/promtool',
  version: 'v0.316.0',
  envVar: 'PROMTOOL',
};

export const findPromtool = (): string | undefined => findGoTool(promtool);

export const ensurePromtool = (log: (line: string) => void): Promise<string> => ensureGoTool(promtool, log);
