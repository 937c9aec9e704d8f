#include "services/console/audit_csv.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "services/crypto/encoding.h"

namespace caregate::console {
namespace {

template <typename Enum>
std::string EnumList(const google::protobuf::RepeatedField<int>& values) {
  const google::protobuf::EnumDescriptor* type =
      google::protobuf::GetEnumDescriptor<Enum>();
  std::vector<std::string> names;
  for (int v : values) {
    const google::protobuf::EnumValueDescriptor* value =
        type->FindValueByNumber(v);
    names.push_back(value != nullptr ? value->name() : absl::StrCat(v));
  }
  return absl::StrJoin(names, ";");
}

std::string Time(const google::protobuf::Timestamp& t) {
  const absl::Time time =
      absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

}  // namespace

std::string CsvField(std::string_view value) {
  std::string field(value);
  if (!field.empty() && (field[0] == '=' || field[0] == '+' ||
                         field[0] == '-' || field[0] == '@')) {
    field.insert(0, "'");
  }
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}), "\"");
}

std::string AuditCsvHeader() {
  return "seq,time,actor_principal_id,actor_role,actor_org_id,action,"
         "practice_org_id,patient_id,recipient_org_id,purpose,categories,"
         "consent_ids,outcome,reasons,content_sha256,request_id,subject_id,"
         "detail,prev_hash,hash\r\n";
}

std::string AuditCsvRow(const v1::AuditEvent& e) {
  const std::vector<std::string> fields = {
      absl::StrCat(e.seq()),
      Time(e.time()),
      e.actor_principal_id(),
      v1::Role_Name(e.actor_role()),
      e.actor_org_id(),
      v1::AuditAction_Name(e.action()),
      e.practice_org_id(),
      e.patient_id(),
      e.recipient_org_id(),
      v1::Purpose_Name(e.purpose()),
      EnumList<v1::Category>(e.categories()),
      absl::StrJoin(e.consent_ids(), ";"),
      v1::DecisionOutcome_Name(e.outcome()),
      EnumList<v1::DenialReason>(e.reasons()),
      e.content_sha256(),
      e.request_id(),
      e.subject_id(),
      e.detail(),
      HexEncode(e.prev_hash()),
      HexEncode(e.hash()),
  };
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    absl::StrAppend(&line, i == 0 ? "" : ",", CsvField(fields[i]));
  }
  absl::StrAppend(&line, "\r\n");
  return line;
}

}  // namespace caregate::console
