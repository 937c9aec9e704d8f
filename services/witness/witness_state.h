// The witness's state file: its key name and, per log origin, the latest
// checkpoint it cosigned (the note it serves, with its cosignature).
//
//   caregate-witness-state v1\n
//   name <witness key name>\n
//   checkpoint <base64 of the cosigned checkpoint note>\n     (0 or more)
//
// Base64 keeps each note on one line. Witness::Open also checks that every
// stored note carries a valid cosignature by the witness's own key, so an
// edited file is refused at start. Free functions; thread-safe.
#ifndef CAREGATE_SERVICES_WITNESS_WITNESS_STATE_H_
#define CAREGATE_SERVICES_WITNESS_WITNESS_STATE_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/transparency/checkpoint.h"

namespace caregate::witness {

struct CosignedCheckpoint {
  tlog::Checkpoint checkpoint;
  // The checkpoint note as served: its text, the log signature lines the
  // witness kept, then the witness's cosignature line.
  std::string note;
};

struct WitnessState {
  std::string name;
  std::map<std::string, CosignedCheckpoint> origins;  // by origin
};

std::string FormatWitnessState(const WitnessState& state);

// DATA_LOSS naming the line at fault for anything but FormatWitnessState's
// output (a bad header, a malformed note or checkpoint, an origin twice).
absl::StatusOr<WitnessState> ParseWitnessState(std::string_view contents);

}  // namespace caregate::witness

#endif  // CAREGATE_SERVICES_WITNESS_WITNESS_STATE_H_
