// Boxes and images gen-lab must know: the family decides how LXD and packages get installed, so a
// box or image of unknown family is refused here rather than failing at boot.
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { BOX_FAMILY_IDS, boxFamilyId, isGenLabBox } from '../families/boxes.js';
import { IMAGE_FAMILY_IDS, imageFamilyId } from '../families/images.js';
import { DEFAULT_BOX, DEFAULT_IMAGE } from '../3-resolve/defaults.js';
import type { LabSpec } from '../spec.js';

export function checkFamilies(spec: LabSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const d = spec.defaults ?? {};
  checkChecksum(d.boxUrl, d.boxChecksum, '/defaults/boxChecksum', 'defaults', out);
  spec.vms.forEach((vm, i) => {
    const box = vm.box ?? d.box ?? DEFAULT_BOX;
    const where = vm.box !== undefined ? `/vms/${i}/box` : d.box !== undefined ? '/defaults/box' : `/vms/${i}`;
    if (!boxFamilyId(box, vm.boxFamily ?? d.boxFamily)) {
      out.push(error('unknown-box-family', where, `gen-lab does not know which distribution box "${box}" of VM "${vm.name}" runs`, `say it with "boxFamily": one of ${BOX_FAMILY_IDS.join(', ')} (on the VM or in defaults); other distributions are not supported`));
    }
    // A pair that comes wholly from defaults is reported once, below.
    if (vm.boxUrl !== undefined || vm.boxChecksum !== undefined) checkChecksum(vm.boxUrl ?? d.boxUrl, vm.boxChecksum ?? d.boxChecksum, vm.boxChecksum !== undefined ? `/vms/${i}/boxChecksum` : '/defaults/boxChecksum', `VM "${vm.name}"`, out);
  });
  checkRegistryBoxes(spec, out);
  (spec.containers ?? []).forEach((c, i) => {
    const image = c.image ?? d.image ?? DEFAULT_IMAGE;
    const where = c.image !== undefined ? `/containers/${i}/image` : d.image !== undefined ? '/defaults/image' : `/containers/${i}`;
    if (!imageFamilyId(image, c.imageFamily ?? d.imageFamily)) {
      out.push(error('unknown-image-family', where, `gen-lab does not know which distribution image "${image}" of container "${c.name}" runs`, `say it with "imageFamily": one of ${IMAGE_FAMILY_IDS.join(', ')} (on the container or in defaults)`));
    }
  });
  return out;
}

function checkChecksum(url: string | undefined, checksum: string | undefined, at: string, whose: string, out: Diagnostic[]): void {
  if (checksum === undefined) return;
  if (url === undefined) out.push(error('checksum-without-url', at, `${whose}: a box checksum without a boxUrl`, 'the checksum is of the .box file boxUrl points to; add boxUrl or drop boxChecksum'));
  else if (/\.json$/i.test(url)) out.push(error('checksum-on-catalog', at, `${whose}: boxUrl ${url} is a catalog, which carries its own checksums`, 'drop boxChecksum, or point boxUrl at the .box file'));
}

/** A box only the HCP Vagrant registry can turn into a download boots only where it is already
 * cached once the registry closes: warned once per box, where the first VM takes it from. */
function checkRegistryBoxes(spec: LabSpec, out: Diagnostic[]): void {
  const d = spec.defaults ?? {};
  const seen = new Map<string, { where: string; vms: string[] }>();
  spec.vms.forEach((vm, i) => {
    const box = vm.box ?? d.box ?? DEFAULT_BOX;
    if (isGenLabBox(box) || (vm.boxUrl ?? d.boxUrl) !== undefined) return;
    const entry = seen.get(box) ?? { where: vm.box !== undefined ? `/vms/${i}/box` : '/defaults/box', vms: [] };
    entry.vms.push(vm.name);
    seen.set(box, entry);
  });
  for (const [box, { where, vms }] of seen) {
    out.push(
      warning(
        'registry-box',
        where,
        `box "${box}" (VMs ${vms.join(', ')}) comes from the HCP Vagrant registry, which takes no new boxes since 2026-10-01 and ends operations on 2026-12-31: from then on the lab boots only on laptops that already downloaded it`,
        `leave "box" out to use gen-lab's own box (${DEFAULT_BOX}) and hand the lab out with \`gen-lab pack\`, or set "boxUrl" to a catalog you host (\`gen-lab box build\` writes one)`,
      ),
    );
  }
}
