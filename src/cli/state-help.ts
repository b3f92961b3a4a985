// The rules of --state, in one place: `sluice help state` prints them and the manual's STATE AND
// CHECKPOINTS section is generated from them (npm run gen).

export const STATE_RULES: [string, string][] = [
  ['What is saved',
    'With --state PATH, a checkpoint holds where every input stands (a file: its path, device and inode, first bytes and ' +
    'byte offset, also when --follow has moved on to a rotated file; a Kafka partition: the next offset), the whole state ' +
    'of every stage that keeps one (open windows and their accumulators, sketches included; sessions; count-window fill; ' +
    'the watermark of each input partition; dedupe memory; the running values of each key; head, tail, top and sort buffers; sample\'s random state; ' +
    'an interval join\'s rows within its bound and its FILE\'s position; a hash of each lookup table, so that a restart says when one changed), ' +
    'and the --stats counters. Its size grows with the state, not with the input.'],
  ['When',
    'Every --checkpoint-every (default 10s), between two batches; at the end of the input; and on SIGINT, SIGTERM or SIGHUP. ' +
    'Each time: the state is taken, the output written so far is flushed (stdout and files to the operating system, ' +
    'Kafka acknowledged; what tee stages wrote too), the checkpoint is written to a temporary file, fsynced, renamed over PATH (the previous one ' +
    'kept as PATH.prev) and the directory fsynced; only then are Kafka offsets committed, so `sluice kafka lag` is true ' +
    'while a job runs.'],
  ['Guarantee',
    'State exactly once, output at least once: after any number of crashes, SIGKILL included, the state is that of one ' +
    'uninterrupted run, and every result is written; results written between the last checkpoint and a crash are ' +
    'written again after the restart. With --exactly-once (Kafka to Kafka) the transaction commits together with each ' +
    'checkpoint, and a read_committed reader sees every result exactly once: a restart first fences its killed ' +
    'predecessor and waits while the broker completes that one\'s last transaction (committing it if its commit was sent, ' +
    'else aborting it; within --timeout, then exit 69), and only then compares the group\'s committed offsets with ' +
    'PATH and PATH.prev to resume from the checkpoint whose transaction committed. A tee stage is at least once too (also with ' +
    '--exactly-once: its writes are not in the transaction): a resumed job appends to its tee files, after cutting off a line ' +
    'a crash left half written, and writes again what came after the checkpoint.'],
  ['Restart',
    'Run the same program on the same inputs with the same --state: each input goes on where the last checkpoint left ' +
    'it, whatever --offset says. The program is compared in canonical form (spacing and the argument form do not ' +
    'matter) together with the inputs and the options that change what the state means (-I, --no-infer, ' +
    '--implicit-header, --tz, --time-format, --time-format-out, --envelope, --group). A difference is refused with exit 2, ' +
    'naming it; a state file that is truncated, corrupt or not sluice\'s is refused with exit 65. Neither ever starts ' +
    'afresh silently: delete PATH (and PATH.prev) for that.'],
  ['Stopping',
    'On SIGINT, SIGTERM or SIGHUP with --state, results that are not final (windows that have not fired, the groups of an ' +
    'aggregate over a live input) are not written: the checkpoint keeps them for the next run, exit 130. At the end of ' +
    'a finite input every open window fires, as without --state, and the last checkpoint records that: a later run ' +
    'reads only what was added to the inputs since, with fresh windows and aggregates; running values (the running stage) ' +
    'are kept by that last checkpoint too and go on from where they were.'],
  ['Files',
    'A file resumes at its byte offset and reads what was appended since; another file at the path, or one shorter than ' +
    'the offset, is refused (exit 2). Under --follow a file rotated while sluice was stopped is found again by device and ' +
    'inode in the same directory and read to its end, then the files rotated after it (names PATH.*, not compressed, ' +
    'modified later; oldest first), then the new one; when it is gone, a warning says from which byte ' +
    'it went unread, and a file truncated or rewritten is read from its start with a warning. gzip files resume by ' +
    'decompressing and skipping. stdin cannot be read again: the state carries over and the new stdin is read from its start. ' +
    'A restart before any checkpoint recorded a position in a file (a run killed before its first checkpoint, or before it ' +
    'read a first line) reads that file afresh: under --follow, the file then at the path from its start, as tail -F does.'],
  ['Limits',
    'The state a run holds is bounded, and reaching a bound stops the run with exit 75 and a message that names the stage ' +
    'and the figure; nothing is written for the groups held. --max-state N counts groups: a key of an aggregate, a key in ' +
    'each window it is in (a record of a sliding window is in SIZE/SLIDE of them), a session, a count window filling. ' +
    'Without it, the bound is the memory: every 4096 new groups and every 50 ms between batches the heap is looked at, and ' +
    'when, after a full garbage collection, 75% of the heap limit is still in use, the run stops (give Node more with ' +
    'NODE_OPTIONS=--max-old-space-size=MB; a heap under about 64 MB is too small to be guarded). Under ulimit -v the heap ' +
    'may have what it uses at the start and half the address space left then, when that is less. A sliding window spec ' +
    'that puts a record in more than 10000 windows is refused before the first record (exit 2).'],
  ['Kafka',
    'Offsets are committed at checkpoints only. A program that keeps records (windows, aggregates, sort, tail, top) read ' +
    'with --group but without --state prints a warning: its offsets are committed only when sluice ends, so a crash reads ' +
    'everything since the last run again. A local --state PATH serves one process, which keeps the state of every ' +
    'partition of its inputs (of --partition\'s): one that another member still holds, as a killed predecessor does until its ' +
    'session expires (-X session.timeout.ms), holds the watermark back as if it were assigned here, so that windows wait for its ' +
    'records; with -e the job ends only once every partition that is not empty is read to its end, here, by the run its ' +
    'checkpoint comes from, or (the group\'s committed offsets say) by another member. When partitions move between members ' +
    'of a group, the state does not move with them. For a group of several processes use --state kafka://HOST:PORT/TOPIC ' +
    '(or kafka:TOPIC on the brokers of -b), with --group: each input partition\'s state is a record in that compacted topic, written ' +
    'at every checkpoint and read by whichever member is given the partition next, so state moves with its partition; ' +
    'a member that lost a partition cannot overwrite its new owner\'s state (records carry an epoch).'],
];
