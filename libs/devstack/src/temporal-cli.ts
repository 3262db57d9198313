/**
 * The Temporal CLI (which embeds the dev server). Neither npm nor Debian ship
 * it; the official release archive is downloaded where the vendor's site can
 * be reached, else it is built from Go modules, pinned to a release whose
 * go.mod `go install` accepts.
 */
import { ensureGoTool, findGoTool, type GoTool } from './go-tools';

const version = '1.5.1';

const temporalCli: GoTool = {
  name: 'temporal',
  title: 'the Temporal CLI',
  pkg: 'github.com/temporalio/cli/cmd/temporal',
  version: `v${version}`,
  envVar: 'TEMPORAL_CLI',
  release: {
    baseUrl: `https://github.com/temporalio/cli/releases/download/v${version}`,
    archive: (platform) => `temporal_cli_${version}_${platform}.tar.gz`,
    // The release's sha256 sums, as two independent package indexes (Hermit's) record them; a download that differs is refused.
    sha256: {
      linux_amd64: 'ddc95e08b0b076efd4ea9733a3f488eb7d2be875f8834e616cd2a37358b4852d',
      linux_arm64: 'bd1b0db9f18b051026de8bf6cc1505f2510f14bbb7a8b9a4a91fff46c77454f5',
      darwin_amd64: 'bbb73e2a31135abe50a1f1cdb35030c42961df618e8ce9c60ae89f201540c5d9',
      darwin_arm64: 'cca01b7ea35ad56e2a328d9ae596bf716bd22313ef63c7a761c88354457c2415',
    },
  },
};

export const findTemporalCli = (): string | undefined => findGoTool(temporalCli);

export const ensureTemporalCli = (log: (line: string) => void): Promise<string> => ensureGoTool(temporalCli, log);
