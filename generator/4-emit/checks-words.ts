// emulate/checks/words.sh: every sentence the checkpoints say, in the lab's language, from
// templates/partials/checks/<language>/words.hbs (a course rewords them by overriding that file).
import type { LabModel } from '../3-resolve/model.js';
import type { TemplateSet } from './templates.js';
import { shellQuote as q } from './escape.js';
import { templateWords } from './words.js';

/** The sentences the checkpoint scripts ask for by key (`say KEY name=value...` in lib.sh). */
export const CHECK_WORDS = ['cp1Title', 'cp2Title', 'cp3Title', 'cp4Title', 'expectedSeen', 'booting', 'notBuilt', 'notConverged', 'converged', 'gapContainer', 'gapAddress', 'gapVeth', 'gapNoBridge', 'gapSplit', 'gapStpOff', 'gapVxlan', 'waitStp', 'goneStp', 'vrrpNone', 'vrrpMany', 'waitUp', 'serviceSilent', 'aReply', 'noReply', 'reaches', 'rootSeen', 'blockedPorts', 'idsDiffer', 'blockedCount', 'noCut', 'cableDown', 'withoutCable', 'settled', 'notSettled', 'treeReconverged', 'cableRestored', 'treeBack', 'treeBackAfter', 'vrrpMaster', 'keptHolder', 'noFailover', 'notProbed', 'linkDown', 'backupHolds', 'vipMoved', 'vipBackup', 'takeover', 'atMost', 'linkUp', 'whyPreempt', 'whySilence', 'linkBack', 'linkBackAfter', 'noPreempt', 'aBackup', 'linkBackGap', 'linkBackOutage', 'afterReconvergence', 'probeStalled', 'notBalancer', 'failedRequests', 'inOrder', 'via', 'viaWithout', 'viaWith', 'clientAddress', 'direct', 'anAnswer', 'noAnswer', 'ipForward', 'forwardVia', 'balEvery', 'balRotation', 'balLeastconn', 'balHash', 'balFirst', 'balUnknown', 'notReachable', 'balReaches', 'haproxyUp', 'haproxyUpWithout', 'noVxlan', 'tunnelsDown', 'localOnly', 'noLocal', 'failed', 'tunnelsUp', 'allUpAgain', 'afterTunnels'] as const;

export function checkWords(model: LabModel, templates: TemplateSet): string {
  const words = templateWords(templates, `partials/checks/${model.language}/words.hbs`, CHECK_WORDS, 'checkpoint words');
  return `declare -A SAY=(\n${CHECK_WORDS.map((k) => `  [${k}]=${q(words[k])}`).join('\n')}\n)\n`;
}
