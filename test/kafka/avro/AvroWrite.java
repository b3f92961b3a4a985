// The independent Avro encoder of test/kafka/avro.test.ts: Apache Avro's Java library (from Maven
// Central) writes each line of stdin, a datum in Avro's JSON encoding, as one bare binary datum
// into OUT_DIR/0001.bin, 0002.bin, ...  Usage: java -cp AVRO_CLASSPATH AvroWrite.java SCHEMA OUT_DIR
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

public class AvroWrite {
  public static void main(String[] args) throws Exception {
    Schema schema = new Schema.Parser().parse(new File(args[0]));
    File out = new File(args[1]);
    GenericDatumReader<Object> reader = new GenericDatumReader<>(schema);
    GenericDatumWriter<Object> writer = new GenericDatumWriter<>(schema);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int n = 0;
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      Object datum = reader.read(null, DecoderFactory.get().jsonDecoder(schema, line));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(datum, enc);
      enc.flush();
      Files.write(new File(out, String.format("%04d.bin", ++n)).toPath(), bytes.toByteArray());
    }
    System.out.println(n);
  }
}
