// The rules of reading inputs (files, stdin, --follow), for the manual's INPUTS section.
// Each is tested: test/sources/, test/cases/errors/ and test/cases/bad-input/.

export const INPUT_RULES: [string, string][] = [
  ['Unreadable inputs', "Every input is checked before the first record is read. A missing file, a directory, a file sluice may not read, and any error the system reports while reading (a file removed or a disk failing mid-run, too many open files) ends the run with one line naming the input and the reason in words, such as `cannot read 'f': permission denied`, and exit status 69. Exit status 70 (internal error) is kept for bugs in sluice."],
  ['--follow', 'The file is read as it grows, like tail -F. Before each read sluice checks the device and inode at the path, the file\'s size and its first bytes (up to 64, as Vector and Fluent Bit fingerprint files): another file at the path is rotation (the old file is read to its end, then the new one from its start); a file shorter than the offset, or one that no longer starts with the bytes it started with (truncated and written again past the offset between two polls), is read again from its start. A last line without its newline ends there. A path replaced by a directory ends the run with exit status 69 once the old file is read.'],
];
