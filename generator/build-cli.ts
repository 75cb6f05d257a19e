// `gen-lab box build` and `gen-lab image build` (root, Debian/Ubuntu): boxes and container images made
// from distribution packages, so a lab does not depend on a registry or an image server. Exit codes:
// 0 built, 1 the build failed (nothing written), 2 bad usage or a missing prerequisite.
import type { Argv } from 'yargs';
import { ARCH_PROVIDERS, BOX_ARCHES, BOX_PROVIDERS, type BoxArch, type BoxProvider } from './build/box.js';
import { BuildError } from './build/run-build.js';

function reportBuildError(e: unknown, fail: (e: unknown) => never): never {
  if (e instanceof BuildError) {
    process.stderr.write(`gen-lab: ${e.message}\n`);
    process.exit(/needs /.test(e.message) || /only \(asked/.test(e.message) ? 2 : 1);
  }
  fail(e);
}

export function registerBuildCommands(cli: Argv, fail: (e: unknown) => never): void {
  cli.command(
    'box <action>',
    'build a Vagrant box (Debian 12 with cloud-init) and its metadata.json catalog (root)',
    (y) =>
      y
        .positional('action', { choices: ['build'], demandOption: true })
        .option('provider', { choices: BOX_PROVIDERS, array: true, describe: 'box format(s), from one disk: libvirt, virtualbox (default: both for amd64, virtualbox for arm64)' })
        .option('arch', { choices: BOX_ARCHES, default: 'amd64' as BoxArch, describe: 'architecture of the box, one per build: amd64, or arm64 (VirtualBox 7.1+ on Apple Silicon; virtualbox only)' })
        .option('out', { alias: 'o', type: 'string', default: 'boxes', describe: 'folder for the .box file and metadata.json' })
        .option('proxy', { type: 'string', describe: 'HTTP proxy for every download, e.g. a local apt-cacher-ng: http://127.0.0.1:3142' })
        .option('base-url', { type: 'string', describe: 'URL the folder will be served from (the catalog names the box by it); default file://' })
        .option('box-version', { type: 'string', describe: 'catalog version (default: today, YYYY.M.D)' })
        .option('templates', { type: 'string', array: true, describe: 'template override folder (repeatable, first wins)' }),
    async (args) => {
      try {
        const { buildBox } = await import('./build/box.js');
        const arch = args.arch as BoxArch;
        const providers = (args.provider as BoxProvider[] | undefined) ?? [...ARCH_PROVIDERS[arch]];
        await buildBox({ providers, arch, outDir: args.out, ...(args.proxy ? { proxy: args.proxy } : {}), ...(args['base-url'] ? { baseUrl: args['base-url'] } : {}), ...(args['box-version'] ? { version: args['box-version'] } : {}), templates: (args.templates ?? []).map(String) });
      } catch (e) {
        reportBuildError(e, fail);
      }
    },
  );
  cli.command(
    'image <action>',
    'build an LXD container image with every lab daemon installed (root)',
    (y) =>
      y
        .positional('action', { choices: ['build'], demandOption: true })
        .option('family', { type: 'string', default: 'debian', describe: 'image family (debian)' })
        .option('arch', { choices: BOX_ARCHES, default: 'amd64' as BoxArch, describe: 'architecture of the image: amd64 or arm64 (same file name; LXD reads the architecture inside it)' })
        .option('out', { alias: 'o', type: 'string', default: 'images', describe: 'folder for the image file (a lab ships it in its images/ folder)' })
        .option('proxy', { type: 'string', describe: 'HTTP proxy for every download, e.g. a local apt-cacher-ng: http://127.0.0.1:3142' })
        .option('templates', { type: 'string', array: true, describe: 'template override folder (repeatable, first wins)' }),
    async (args) => {
      try {
        const { buildImage } = await import('./build/image.js');
        await buildImage({ family: args.family, arch: args.arch as BoxArch, outDir: args.out, ...(args.proxy ? { proxy: args.proxy } : {}), templates: (args.templates ?? []).map(String) });
      } catch (e) {
        reportBuildError(e, fail);
      }
    },
  );
}
