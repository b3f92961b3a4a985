// The manual's SIGNALS section: what an interrupt writes, and what it does not (issue #16, item 5).
// DESIGN §6: on an interrupt, results that are not final are withheld (--state: a checkpoint
// instead) or marked "final": false; they are never passed off as final.

export const SIGNAL_RULES: [string, string][] = [
  ['SIGINT, SIGTERM, SIGHUP',
    'sluice stops reading, writes what is final, and exits 130. SIGHUP (the terminal went away) is a stop like SIGTERM, as most ' +
    'daemons treat it. A second signal exits at once (temporary files of sort are still removed). A last line without its ' +
    'newline (a --follow file being written) is not bad input: it was not finished.'],
  ['Without --state',
    'Windows that have fired were written when they fired and are final. Windows still open, and the groups of an aggregate with ' +
    'no window, are written as they stand, marked "final": false (the field `emit every` writes), so that a reader can tell a partial ' +
    'count from a final one; a line on stderr says how many. Stages that pass records through rather than compute results cannot ' +
    'mark them, and a prefix of the input sorted is not the input sorted: sort, tail and top write nothing when interrupted, and a ' +
    'line on stderr says how many records they held. Everything after such a stage is withheld with it. Records a stage already ' +
    'passed on (where, select, head, dedupe) were written as they came. In a consumer group (-G), offsets are then not committed ' +
    'when anything was partial or withheld: the group reads those messages again, and a later run writes their final results.'],
  ['With --state',
    'Nothing that is not final is written: the open windows and groups go into a checkpoint instead, and the next run with the same ' +
    'state continues them (see STATE AND CHECKPOINTS).'],
];
