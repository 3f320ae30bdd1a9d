#include <nats/nats.h>

#include "messaging/internal.h"

namespace osapi::messaging::detail {

ErrorCode map_status(natsStatus s) {
  switch (s) {
    case NATS_TIMEOUT:
      return ErrorCode::kTimeout;
    case NATS_NOT_FOUND:
      return ErrorCode::kNotFound;
    case NATS_INVALID_ARG:
      return ErrorCode::kInvalidArgument;
    case NATS_NOT_PERMITTED:
      return ErrorCode::kPermissionDenied;
    case NATS_NO_SERVER:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_RESPONDERS:
    case NATS_IO_ERROR:
    case NATS_STALE_CONNECTION:
    case NATS_CONNECTION_AUTH_FAILED:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

Error nats_error(const std::string& where, natsStatus s, jsErrCode jerr) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  std::string msg = where + ": ";
  if (text != nullptr && *text != '\0' && last == s)
    msg += text;
  else
    msg += natsStatus_GetText(s);
  if (jerr != 0) msg += " (jetstream error " + std::to_string(static_cast<int>(jerr)) + ")";
  ErrorCode code = map_status(s);
  switch (static_cast<int>(jerr)) {
    case 10059:  // stream not found
    case 10014:  // consumer not found
    case 10037:  // no message found
    case 10043:  // sequence not found
      code = ErrorCode::kNotFound;
      break;
    case 10071:  // wrong last sequence
    case 10058:  // stream name already in use
    case 10013:  // consumer name already in use
    case 10148:  // consumer already exists
      code = ErrorCode::kAlreadyExists;
      break;
    default:
      break;
  }
  return Error(code, msg);
}

natsMsg* make_msg(const std::string& subject, const std::string& data, const Headers& headers,
                  Error& err) {
  natsMsg* msg = nullptr;
  natsStatus s =
      natsMsg_Create(&msg, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) {
    err = nats_error("create message for " + subject, s);
    return nullptr;
  }
  for (const auto& [k, v] : headers) {
    s = natsMsgHeader_Add(msg, k.c_str(), v.c_str());
    if (s != NATS_OK) {
      err = nats_error("set header " + k, s);
      natsMsg_Destroy(msg);
      return nullptr;
    }
  }
  return msg;
}

}  // namespace osapi::messaging::detail
