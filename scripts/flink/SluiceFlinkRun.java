// Runs Flink SQL scripts (as `sluice export flink-sql` writes them) on Apache Flink in local mode,
// for sluice's tests: one JVM, one mini cluster, and every script's INSERT in one STATEMENT SET, so
// that several programs cost one job. Statements end with ';' at the end of a line; `SET 'k' = 'v';`
// sets the table config; `--` lines are comments. Waits for the job (the Kafka sources are bounded).
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;

public class SluiceFlinkRun {
  private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'([^']*)'");

  public static void main(String[] args) throws Exception {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    env.getConfig().set("parallelism.default", "1");
    env.getConfig().set("table.local-time-zone", "UTC");
    StatementSet inserts = env.createStatementSet();
    int n = 0;
    for (String file : args) {
      for (String stmt : statements(Files.readString(Path.of(file)))) {
        Matcher m = SET.matcher(stmt);
        if (m.matches()) env.getConfig().set(m.group(1), m.group(2));
        else if (stmt.regionMatches(true, 0, "INSERT", 0, 6)) { inserts.addInsertSql(stmt); n++; }
        else env.executeSql(stmt);
      }
    }
    if (n == 0) throw new IllegalArgumentException("no INSERT statement in " + String.join(", ", args));
    inserts.execute().await();
    System.out.println("sluice-flink: " + n + " INSERT statement(s) done");
    System.exit(0);
  }

  static List<String> statements(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.trim().startsWith("--")) continue;
      cur.append(line).append('\n');
      if (line.trim().endsWith(";")) {
        String s = cur.toString().trim();
        out.add(s.substring(0, s.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().trim().isEmpty()) out.add(cur.toString().trim());
    return out;
  }
}
