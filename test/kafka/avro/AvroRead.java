// The independent Avro reader of test/kafka/avro.test.ts: Apache Avro's Java library reads each
// file named on the command line, one bare binary datum, and prints it in Avro's JSON encoding, one
// line each (bytes as code points U+0000 to U+00FF, unions as {"type": value}).
// Usage: java -cp AVRO_CLASSPATH AvroRead.java SCHEMA FILE...
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;

public class AvroRead {
  public static void main(String[] args) throws Exception {
    Schema schema = new Schema.Parser().parse(new File(args[0]));
    GenericDatumReader<Object> reader = new GenericDatumReader<>(schema);
    GenericDatumWriter<Object> writer = new GenericDatumWriter<>(schema);
    for (int i = 1; i < args.length; i++) {
      byte[] bytes = Files.readAllBytes(new File(args[i]).toPath());
      BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
      Object datum = reader.read(null, dec);
      if (!dec.isEnd()) throw new IllegalStateException(args[i] + ": bytes left after the datum");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      JsonEncoder enc = EncoderFactory.get().jsonEncoder(schema, out);
      writer.write(datum, enc);
      enc.flush();
      System.out.println(out.toString(StandardCharsets.UTF_8));
    }
  }
}
