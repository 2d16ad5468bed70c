package dev.rlflow.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class TraceFilesTest {

  @Test
  void containerFileRoundTrip() throws IOException {
    List<ProcessLabel> written = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      written.add(
          ProcessLabel.newBuilder(i % 2 == 0 ? Labels.first() : Labels.second())
              .setSearchId(i)
              .build());
    }
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (DataFileWriter<ProcessLabel> writer = TraceFiles.writer(ProcessLabel.class, file)) {
      for (ProcessLabel label : written) {
        writer.append(label);
      }
    }

    List<ProcessLabel> read = new ArrayList<>();
    try (DataFileStream<ProcessLabel> records =
        TraceFiles.reader(ProcessLabel.class, new ByteArrayInputStream(file.toByteArray()))) {
      assertThat(records.getSchema()).isEqualTo(ProcessLabel.getClassSchema());
      assertThat(records.getMetaString("avro.codec")).isEqualTo("deflate");
      records.forEach(read::add);
    }
    assertThat(read).isEqualTo(written);
  }

  @Test
  void aFileWithoutRecordsReadsAsNone() throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    TraceFiles.writer(ProcessLabel.class, file).close();
    try (DataFileStream<ProcessLabel> records =
        TraceFiles.reader(ProcessLabel.class, new ByteArrayInputStream(file.toByteArray()))) {
      assertThat(records.hasNext()).isFalse();
    }
  }

  @Test
  void anotherFormatIsRejected() {
    byte[] jsonl = "{\"step\": \"4 + 3 = 7\"}\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> TraceFiles.reader(ProcessLabel.class, new ByteArrayInputStream(jsonl)))
        .isInstanceOf(InvalidTraceException.class)
        .hasMessageStartingWith("Not an Avro container file of dev.rlflow.traces.ProcessLabel: ");
  }

  @Test
  void aFileOfAnotherRecordTypeIsRejected() throws IOException {
    Schema metric =
        SchemaBuilder.record("TrainingMetric")
            .namespace("dev.rlflow.traces")
            .fields()
            .requiredDouble("loss")
            .endRecord();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> writer =
        new DataFileWriter<GenericRecord>(new GenericDatumWriter<>(metric)).create(metric, file)) {
      GenericRecord record = new GenericData.Record(metric);
      record.put("loss", 0.5);
      writer.append(record);
    }
    assertThatThrownBy(
            () ->
                TraceFiles.reader(ProcessLabel.class, new ByteArrayInputStream(file.toByteArray())))
        .isInstanceOf(InvalidTraceException.class)
        .hasMessage(
            "The container file holds dev.rlflow.traces.TrainingMetric records, not"
                + " dev.rlflow.traces.ProcessLabel");
  }
}
