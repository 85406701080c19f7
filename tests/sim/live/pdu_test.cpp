// The pure PDU checks: what a target refuses before it looks at a command.
#include <catch2/catch.hpp>

#include "sim/live/pdu.h"

using namespace mpsim::live;

TEST_CASE("check_host_header: sequence, header length, digests, plen bounds") {
  const PduHeader icreq{tcp::kIcReq, 0, 128, 0, 128};
  CHECK_FALSE(check_host_header(icreq, false, 1 << 20));
  CHECK(*check_host_header(icreq, true, 1 << 20) == "a second ICReq");
  const PduHeader cmd{tcp::kCapsuleCmd, 0, 72, 72, 72 + 512};
  CHECK_FALSE(check_host_header(cmd, true, 1 << 20));
  CHECK(check_host_header(cmd, false, 1 << 20));                                  // before ICReq
  CHECK(check_host_header(PduHeader{tcp::kCapsuleCmd, tcp::kFlagHdgst, 72, 0, 72}, true, 1 << 20));
  CHECK(check_host_header(PduHeader{tcp::kCapsuleCmd, 0, 72, 0, 60}, true, 1 << 20));   // plen < hlen
  CHECK(check_host_header(PduHeader{tcp::kCapsuleCmd, 0, 72, 72, 4096}, true, 1024));   // over the limit
  CHECK(check_host_header(PduHeader{tcp::kCapsuleCmd, 0, 72, 10, 100}, true, 1 << 20)); // pdo inside header
  CHECK(check_host_header(PduHeader{tcp::kC2HData, 0, 24, 24, 48}, true, 1 << 20));     // a target's PDU
  CHECK(check_host_header(PduHeader{0x55, 0, 24, 0, 24}, true, 1 << 20));
}

TEST_CASE("parse_capsule: the SGL must describe the in-capsule data") {
  Sqe sqe;
  sqe.b[0] = opc::kWrite;
  Bytes data(512, 0xAB), pdu;
  put32(sqe.b.data() + 32, 512);
  sqe.b[39] = kSglInCapsule;
  append_capsule_cmd(pdu, sqe, data);
  auto ok = parse_capsule(pdu);
  REQUIRE(std::holds_alternative<Capsule>(ok));
  CHECK(std::get<Capsule>(ok).data.size() == 512);
  put32(pdu.data() + 8 + 32, 1024);  // SGL says more than the capsule holds
  CHECK(std::holds_alternative<std::string>(parse_capsule(pdu)));
  Bytes cmd;
  sqe.b[39] = 0x77;
  put32(sqe.b.data() + 32, 4096);
  append_capsule_cmd(cmd, sqe, {});
  CHECK(std::get<std::string>(parse_capsule(cmd)) == "unsupported SGL type 119");
}

TEST_CASE("parse_h2c_data: the data length field must match the bytes carried") {
  Bytes pdu;
  const Bytes data(100, 1);
  append_h2c_data(pdu, 5, 9, 0, data, true);
  auto d = parse_h2c_data(pdu);
  REQUIRE(std::holds_alternative<DataPdu>(d));
  CHECK(std::get<DataPdu>(d).ttag == 9);
  CHECK(std::get<DataPdu>(d).last);
  put32(pdu.data() + 16, 200);
  CHECK(std::holds_alternative<std::string>(parse_h2c_data(pdu)));
}
