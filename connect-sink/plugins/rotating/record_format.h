// How one record becomes one line of the archive: `value` (the value's text, newlines inside it
// written as \n so a record stays one line; a null value as "null") or `envelope` (a JSON object
// with topic, partition, offset, timestamp, key, value and headers; valid JSON whatever the bytes:
// control characters escaped, bytes that are not UTF-8 replaced by U+FFFD as Connect decodes them).
#pragma once

#include <string>

#include "sentinel/connect/sink.h"

namespace sentinel::archive {

enum class RecordFormat { kValue, kEnvelope };

// Appends the record's line, '\n' included, to *out.
void format_record(RecordFormat format, const connect::SinkRecord& record, std::string* out);

}  // namespace sentinel::archive
