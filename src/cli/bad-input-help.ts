// What sluice does with each kind of bad input, in one place: `sluice help bad-input` prints
// these rows and the manual's BAD INPUT section is generated from them (npm run gen). One row
// per kind of input; a new kind (compression, encodings, permissions) is one more row.

export const BAD_INPUT_RULES: [string, string][] = [
  ['The policy',
    'Input that cannot be decoded is never dropped silently: it is counted as "bad input" in --stats and handled by ' +
    '--on-error. fail (the default) stops at it with one line, FILE:LINE: reason (topic/partition@offset for Kafka), ' +
    'after writing the records before it, and exits 65; skip goes on; warn goes on and prints the line. --dead-letter ' +
    'PATH keeps each bad piece of input with its reason and location (and implies skip).'],
  ['Unparseable lines',
    'A line that is not JSON (ndjson), not key=value pairs (logfmt), a csv or tsv row with the wrong number of fields, ' +
    'text after a closing quote, an unclosed quote at the end, a truncated last value: bad input, located at the line ' +
    'where the record starts. JSON problems are described in sluice\'s own words with the column, e.g. ' +
    '"invalid JSON: expected \',\' or \'}\', found \'x\' at column 12" (the same on every Node version).'],
  ['Wrong types',
    'Not bad input: an expression given a value of the wrong type (a string where a number is needed, json() of a ' +
    'text that is not JSON) gives null, and the record goes on; each is counted as a ' +
    '"type error" in --stats. A number and a numeric string compare and compute as numbers.'],
  ['Bad times',
    'A window "on FIELD" whose field cannot be read as a time (ISO-8601, epoch, nginx/apache, syslog or --time-format) ' +
    'is bad input for that record: "window: cannot read time ... in FIELD", handled by --on-error.'],
  ['Deep nesting',
    'A JSON value nested deeper than 1024 levels (arrays and objects inside each other, the record counting one) is ' +
    'bad input: "nested deeper than 1024 levels". The same limit applies to Kafka message values and "parse json"; ' +
    'json() of such a text gives null and a type error. Values up to the limit go through every stage and format.'],
  ['Numbers out of range',
    'JSON numbers are read as doubles, as JSON.parse reads them: 9007199254740993 as 9007199254740992, 1e400 as ' +
    'infinite, 1.0000000000000001 as 1, 1e-400 as 0. Expressions see that double. A record that passes through ' +
    'unchanged (ndjson in and out) is written as read. A record written anew (select, set, map, rename, drop, sort ' +
    'that spills, -O json, csv, tsv, logfmt, template, --to kafka:) keeps the input text of such a number wherever ' +
    'its double is written: {"f":1e400,"n":9007199254740993} gives the same text after `select f, n`. Each such ' +
    'number of a record written anew counts as a type error in --stats, the value the expressions saw being the ' +
    'nearest double (an underflow below about 2.2e-308, such as 1e-400, counts only in a record that holds another ' +
    'such number: finding them costs a look at every line). The text is kept for infinities and for doubles of 16 significant digits or more, which ' +
    'hardly come about otherwise (an infinity that the same record computes, say by an overflow, takes the text too); ' +
    'not for 1.0000000000000001 (written 1) or 1e-400 (written 0), whose doubles any 1 or 0 of the record would share, ' +
    'nor when two texts of the record round to the same double, nor inside a string that parse json or json() ' +
    'read, nor in -O table. An infinity without its text (an overflow) is written as null in JSON and as an empty ' +
    'cell elsewhere, never as Infinity or NaN. -0 is written 0. In csv, tsv and logfmt input a cell becomes a number ' +
    'only when the number writes back as the same text, so such cells stay text and nothing is lost.'],
  ['Line endings',
    'LF and CRLF (the CR is dropped) in every line format. Classic Mac files, whose line ends are a lone CR, are ' +
    'recognised by the first line end of the input and split on CR. A lone CR inside a line of an LF file stays in ' +
    'the line (lines, csv fields) or is JSON whitespace. A UTF-8 byte order mark at the start is dropped. A last line ' +
    'without a line end is read as a line.'],
  ['Blank lines and whitespace',
    'An empty line is skipped without being counted in every format but lines (which keeps it as {"line": ""}); in ' +
    'ndjson and logfmt so is a line of nothing but spaces and tabs. A line of other whitespace (NBSP, U+3000, form ' +
    'feed) is text: bad input in ndjson and logfmt, never dropped unseen.'],
  ['Control characters',
    'Messages on stderr and the table format show control characters escaped (\\x1b, \\x07, \\x00, \\n, \\u202e for ' +
    'the bidirectional overrides), so bad input cannot clear the screen, retitle the window or reorder what is shown. ' +
    'In JSON a raw control character inside a string is invalid (write \\u0007) and is bad input with its column. ' +
    'logfmt separates pairs only with spaces and tabs: a NUL or any other control character outside quotes is bad ' +
    'input. In csv, tsv and lines input they are data, kept as they are; JSON output escapes them.'],
  ['Binary junk',
    'Bytes that are not UTF-8 are read as U+FFFD (the replacement character). In ndjson and json a line of them is ' +
    'bad input ("invalid JSON: unexpected U+FFFD (input that is not UTF-8) at column 1"); in csv, tsv, logfmt and ' +
    'lines they are text, and the row is judged by its format\'s own rules (field count, key=value pairs, control ' +
    'characters).'],
  ['Huge lines',
    'A line or JSON value of any length is read whole, in time linear in its length (a 50 MB line arriving in 64 KiB ' +
    'pieces is joined once); memory grows with the longest record, not with the input.'],
  ['Empty input',
    'An empty file, an empty stdin, a file of blank lines or a csv with only a header gives no records and exit 0; ' +
    'an aggregate over it still writes its one result (count() is 0).'],
];
