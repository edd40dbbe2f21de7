-- SPDX-License-Identifier: BSD-3-Clause
--
-- Wireshark / tshark dissector for the Haven State Synchronisation
-- Protocol, version 1 (docs/ha-sync-protocol.md): what the active primary
-- of a pair streams to its standby on UDP port 4435, HELLO, SESSION,
-- RECORDS (live changes and bulk resync slices), ACK, HEARTBEAT and BYE,
-- and inside RECORDS the store's records of section 5 (bindings of both
-- families, replay state, delegation state). The HMAC-SHA256 trailer is
-- shown as bytes (not verified: the pair's key is secret).
--
-- Use:
--   tshark -X lua_script:app/wireshark/haven_sync.lua -r capture.pcap \
--       -Y havensync -T fields -e havensync.type -e havensync.record.hoa
--   wireshark -X lua_script:app/wireshark/haven_sync.lua capture.pcap
-- or copy it to ~/.local/lib/wireshark/plugins/. Another port: the
-- protocol's "UDP port" preference, or Decode As... "HAVENSYNC".
--
-- Display filter fields (havensync.*):
--   header    version type body_len sender receiver seq session
--   HELLO     nonce boot_id reserved
--   SESSION   nonce boot_id window records reserved
--   RECORDS   stream_seq flags flags.bulk flags.first flags.last lo_len
--             hi_len n_ops lo hi reserved; per operation: op (subtree)
--             op.code op.key_len op.val_len op.key op.value
--   records   record.kind record.version record.hoa record.hoa6
--             record.secondary; binding.flags binding.flags.t
--             binding.flags.nat binding.flags.s binding.encap
--             binding.n_coa binding.secondary binding.generation
--             binding.registered binding.nat_port binding.nat_family
--             binding.nat_addr binding.nat_addr6 binding.coa binding.coa6
--             binding.lifetime binding.expires; replay.flags replay.seq6
--             replay.id4 replay.ts6 replay.updated; deleg.flags
--             deleg.name deleg.family deleg.addr deleg.addr6
--             deleg.generation deleg.boot_id deleg.last_seq
--   ACK       acked ack.flags ack.flags.gap
--   HEARTBEAT role state interval boot_id stream_seq
--   BYE       reason
--   trailer   hmac
-- Expert info (havensync.expert.*): version, datagram length, Body Length,
-- unknown type, body length of the type, reserved octets, values out of
-- range, operations that run past the body, bulk keys outside their range
-- or out of order, records that break section 5, truncation.

local PORT = 4435
local HEADER_LEN = 28
local HMAC_LEN = 32
local MIN_LEN = HEADER_LEN + HMAC_LEN
local MAX_LEN = 1400
local RECORDS_FIXED = 16

local p = Proto("havensync", "Haven State Synchronisation Protocol")

local TYPES = {
	[1] = "HELLO", [2] = "SESSION", [3] = "RECORDS", [4] = "ACK",
	[5] = "HEARTBEAT", [6] = "BYE",
}
local FIXED_BODY = { [1] = 16, [2] = 24, [4] = 12, [5] = 24, [6] = 4 }
local ROLES = { [0] = "NONE", [1] = "ACTIVE", [2] = "STANDBY" }
local STATES = { [0] = "IDLE", [1] = "HELLO", [2] = "BULK", [3] = "IN_SYNC" }
local REASONS = {
	[0] = "SHUTDOWN", [1] = "ROLE_CHANGE", [2] = "OVERFLOW",
	[3] = "NEW_SESSION",
}
local OPS = { [1] = "PUT", [2] = "DELETE" }
local KINDS = { [0] = "META", [1] = "BINDING", [2] = "REPLAY", [3] = "DELEG" }
local ENCAPS = {
	[0] = "IP-in-IP (RFC 2003)", [1] = "minimal (RFC 2004)",
	[2] = "GRE (RFC 2784)", [3] = "IPv6 in IPv6 (RFC 2473)",
	[4] = "IP in UDP (RFC 3519)",
}
local FAMILIES = { [0] = "none", [4] = "IPv4", [6] = "IPv6" }

local f = p.fields
-- header (2)
f.version = ProtoField.uint8("havensync.version", "Version", base.DEC)
f.type = ProtoField.uint8("havensync.type", "Type", base.DEC, TYPES)
f.body_len = ProtoField.uint16("havensync.body_len", "Body Length", base.DEC)
f.sender = ProtoField.uint32("havensync.sender", "Sender ID", base.DEC)
f.receiver = ProtoField.uint32("havensync.receiver", "Receiver ID", base.DEC)
f.seq = ProtoField.uint64("havensync.seq", "Sequence Number", base.DEC)
f.session = ProtoField.uint64("havensync.session", "Session ID", base.HEX)
-- HELLO, SESSION (3.1, 3.2)
f.nonce = ProtoField.uint64("havensync.nonce", "Nonce", base.HEX)
f.boot_id = ProtoField.uint32("havensync.boot_id", "Boot ID", base.HEX)
f.window = ProtoField.uint16("havensync.window", "Window", base.DEC)
f.records = ProtoField.uint64("havensync.records", "Records", base.DEC)
f.reserved = ProtoField.bytes("havensync.reserved", "Reserved")
-- RECORDS (3.3)
f.stream_seq = ProtoField.uint64("havensync.stream_seq", "Stream Sequence",
	base.DEC)
f.flags = ProtoField.uint8("havensync.flags", "Flags", base.HEX)
f.flag_bulk = ProtoField.bool("havensync.flags.bulk", "BULK", 8, nil, 0x01)
f.flag_first = ProtoField.bool("havensync.flags.first", "BULK_FIRST", 8, nil,
	0x02)
f.flag_last = ProtoField.bool("havensync.flags.last", "BULK_LAST", 8, nil,
	0x04)
f.lo_len = ProtoField.uint8("havensync.lo_len", "Lo Length", base.DEC)
f.hi_len = ProtoField.uint8("havensync.hi_len", "Hi Length", base.DEC)
f.n_ops = ProtoField.uint16("havensync.n_ops", "N Operations", base.DEC)
f.lo = ProtoField.bytes("havensync.lo", "Lo (exclusive)")
f.hi = ProtoField.bytes("havensync.hi", "Hi (inclusive)")
f.op = ProtoField.none("havensync.op", "Operation")
f.op_code = ProtoField.uint8("havensync.op.code", "Op", base.DEC, OPS)
f.op_key_len = ProtoField.uint8("havensync.op.key_len", "Key Length",
	base.DEC)
f.op_val_len = ProtoField.uint16("havensync.op.val_len", "Value Length",
	base.DEC)
f.op_key = ProtoField.bytes("havensync.op.key", "Key")
f.op_value = ProtoField.bytes("havensync.op.value", "Value")
-- records (5)
f.rec_kind = ProtoField.uint8("havensync.record.kind", "Kind", base.DEC, KINDS)
f.rec_version = ProtoField.uint8("havensync.record.version", "Record Version",
	base.DEC)
f.rec_family = ProtoField.uint8("havensync.record.family", "Family", base.DEC,
	FAMILIES)
f.rec_hoa = ProtoField.ipv4("havensync.record.hoa", "Home Address")
f.rec_hoa6 = ProtoField.ipv6("havensync.record.hoa6", "Home Address (IPv6)")
f.rec_secondary = ProtoField.uint32("havensync.record.secondary",
	"Secondary ID", base.DEC)
f.b_flags = ProtoField.uint8("havensync.binding.flags", "Flags", base.HEX)
f.b_flag_t = ProtoField.bool("havensync.binding.flags.t",
	"T (reverse tunnel)", 8, nil, 0x01)
f.b_flag_nat = ProtoField.bool("havensync.binding.flags.nat", "NAT", 8, nil,
	0x02)
f.b_flag_s = ProtoField.bool("havensync.binding.flags.s",
	"S (simultaneous bindings)", 8, nil, 0x04)
f.b_encap = ProtoField.uint8("havensync.binding.encap", "Encap", base.DEC,
	ENCAPS)
f.b_n_coa = ProtoField.uint8("havensync.binding.n_coa", "N CoA", base.DEC)
f.b_secondary = ProtoField.uint32("havensync.binding.secondary",
	"Secondary ID", base.DEC)
f.b_generation = ProtoField.uint32("havensync.binding.generation",
	"Delegation Generation", base.DEC)
f.b_registered = ProtoField.uint64("havensync.binding.registered",
	"Registered At (ms)", base.DEC)
f.b_nat_port = ProtoField.uint16("havensync.binding.nat_port", "NAT Port",
	base.DEC)
f.b_nat_family = ProtoField.uint8("havensync.binding.nat_family",
	"NAT Family", base.DEC, FAMILIES)
f.b_nat_addr = ProtoField.ipv4("havensync.binding.nat_addr", "NAT Address")
f.b_nat_addr6 = ProtoField.ipv6("havensync.binding.nat_addr6",
	"NAT Address (IPv6)")
f.b_coa = ProtoField.ipv4("havensync.binding.coa", "Care-of Address")
f.b_coa6 = ProtoField.ipv6("havensync.binding.coa6",
	"Care-of Address (IPv6)")
f.b_lifetime = ProtoField.uint32("havensync.binding.lifetime",
	"Granted Lifetime (s)", base.DEC)
f.b_expires = ProtoField.uint64("havensync.binding.expires",
	"Expires At (ms)", base.DEC)
f.r_flags = ProtoField.uint8("havensync.replay.flags", "Flags", base.HEX)
f.r_seq6 = ProtoField.uint16("havensync.replay.seq6",
	"MIPv6 Sequence Number", base.DEC)
f.r_id4 = ProtoField.uint64("havensync.replay.id4", "MIPv4 Identification",
	base.HEX)
f.r_ts6 = ProtoField.uint64("havensync.replay.ts6", "MIPv6 Timestamp",
	base.HEX)
f.r_updated = ProtoField.uint64("havensync.replay.updated", "Updated At (ms)",
	base.DEC)
f.d_flags = ProtoField.uint8("havensync.deleg.flags", "Flags", base.HEX)
f.d_name = ProtoField.string("havensync.deleg.name", "Name")
f.d_family = ProtoField.uint8("havensync.deleg.family", "Family", base.DEC,
	FAMILIES)
f.d_addr = ProtoField.ipv4("havensync.deleg.addr", "Address")
f.d_addr6 = ProtoField.ipv6("havensync.deleg.addr6", "Address (IPv6)")
f.d_generation = ProtoField.uint32("havensync.deleg.generation", "Generation",
	base.DEC)
f.d_boot_id = ProtoField.uint32("havensync.deleg.boot_id", "Boot ID", base.HEX)
f.d_last_seq = ProtoField.uint64("havensync.deleg.last_seq",
	"Last Sequence Number Sent", base.DEC)
-- ACK (3.4)
f.acked = ProtoField.uint64("havensync.acked", "Acked", base.DEC)
f.ack_flags = ProtoField.uint8("havensync.ack.flags", "Flags", base.HEX)
f.ack_gap = ProtoField.bool("havensync.ack.flags.gap", "GAP", 8, nil, 0x01)
-- HEARTBEAT (3.5), BYE (3.6)
f.role = ProtoField.uint8("havensync.role", "Role", base.DEC, ROLES)
f.state = ProtoField.uint8("havensync.state", "State", base.DEC, STATES)
f.interval = ProtoField.uint32("havensync.interval", "Interval (ms)", base.DEC)
f.reason = ProtoField.uint8("havensync.reason", "Reason", base.DEC, REASONS)
-- trailer (4)
f.hmac = ProtoField.bytes("havensync.hmac", "HMAC-SHA256")

local function new_expert(name, text)
	return ProtoExpert.new("havensync.expert." .. name, text,
		expert.group.MALFORMED, expert.severity.ERROR)
end
local e = {
	version = new_expert("version", "Unsupported version (only 1 is defined)"),
	length = new_expert("length", "Datagram length outside 60..1400 octets"),
	body_len = new_expert("body_len",
		"Body Length does not match the datagram (length - 60)"),
	type = new_expert("type", "Unknown message type"),
	type_len = new_expert("type_len", "Body length wrong for the message type"),
	reserved = new_expert("reserved", "Reserved octets not zero"),
	value = new_expert("value", "Field value out of range"),
	ops = new_expert("ops", "Operations malformed"),
	record = new_expert("record", "Record malformed (section 5)"),
	truncated = new_expert("truncated", "Message truncated"),
}
p.experts = { e.version, e.length, e.body_len, e.type, e.type_len,
	e.reserved, e.value, e.ops, e.record, e.truncated }

p.prefs.port = Pref.uint("UDP port", PORT,
	"UDP port of the state synchronisation (source and destination)")

local function zero(tvb)
	for i = 0, tvb:len() - 1 do
		if tvb(i, 1):uint() ~= 0 then
			return false
		end
	end
	return true
end

local function add_reserved(tree, tvb)
	local it = tree:add(f.reserved, tvb)
	if not zero(tvb) then
		it:add_proto_expert_info(e.reserved)
	end
end

local function flen(family)
	return family == 4 and 4 or family == 6 and 16 or 0
end

local function addr_str(tvb)
	if tvb:len() == 16 then
		return tostring(tvb:ipv6())
	end
	return tostring(tvb:ipv4())
end

-- Keys compare octet by octet, a prefix first (LMDB's order); -1, 0, 1.
local function key_cmp(a, b)
	local n = math.min(a:len(), b:len())
	for i = 0, n - 1 do
		local x, y = a(i, 1):uint(), b(i, 1):uint()
		if x ~= y then
			return x < y and -1 or 1
		end
	end
	if a:len() == b:len() then
		return 0
	end
	return a:len() < b:len() and -1 or 1
end

-- ------------------------------------------------------------------
-- Records (section 5)
-- ------------------------------------------------------------------

local function bad(it, text)
	it:add_proto_expert_info(e.record, text)
	return false
end

local function add_faddr(tree, f4, f6, tvb)
	if tvb:len() == 16 then
		return tree:add(f6, tvb)
	end
	return tree:add(f4, tvb)
end

local function dissect_binding(v, t, family)
	local a = flen(family)
	if v:len() < 23 then
		return bad(t, "binding value shorter than 23 octets")
	end
	local flags = v(1, 1):uint()
	local fl = t:add(f.b_flags, v(1, 1))
	fl:add(f.b_flag_t, v(1, 1))
	fl:add(f.b_flag_nat, v(1, 1))
	fl:add(f.b_flag_s, v(1, 1))
	if bit.band(flags, 0xf8) ~= 0 then
		bad(fl, "undefined binding flag bits")
	end
	local encap = v(2, 1):uint()
	local ei = t:add(f.b_encap, v(2, 1))
	if (family == 6 and encap ~= 3) or (family == 4 and
	    encap ~= 0 and encap ~= 1 and encap ~= 2 and encap ~= 4) then
		bad(ei, "encap not one of the home address's family")
	end
	local n = v(3, 1):uint()
	local ni = t:add(f.b_n_coa, v(3, 1))
	if n < 1 or n > 4 then
		return bad(ni, "N CoA must be 1..4")
	end
	t:add(f.b_secondary, v(4, 4))
	t:add(f.b_generation, v(8, 4))
	t:add(f.b_registered, v(12, 8))
	t:add(f.b_nat_port, v(20, 2))
	local nat = bit.band(flags, 0x02) ~= 0
	local nf = v(22, 1):uint()
	local nfi = t:add(f.b_nat_family, v(22, 1))
	if nat and nf ~= family then
		bad(nfi, "NAT flag: NAT Family must be the home address's")
	elseif not nat and (nf ~= 0 or v(20, 2):uint() ~= 0) then
		bad(nfi, "NAT Port or Family without the NAT flag")
	end
	if encap == 4 and not nat then
		bad(ei, "UDP encapsulation without the NAT flag")
	end
	local want = 23 + flen(nf) + n * (13 + a)
	if v:len() ~= want then
		return bad(t, string.format(
			"binding value of %u octets, its fields make %u",
			v:len(), want))
	end
	local off = 23
	if flen(nf) > 0 then
		add_faddr(t, f.b_nat_addr, f.b_nat_addr6, v(off, flen(nf)))
		off = off + flen(nf)
	end
	local coas = {}
	for i = 1, n do
		local cf = v(off, 1):uint()
		if cf ~= family then
			bad(t, string.format(
				"care-of address %u of family %u", i, cf))
			return false
		end
		local ci = add_faddr(t, f.b_coa, f.b_coa6, v(off + 1, a))
		coas[#coas + 1] = addr_str(v(off + 1, a))
		if zero(v(off + 1, a)) then
			bad(ci, "care-of address is unspecified")
		end
		t:add(f.b_lifetime, v(off + 1 + a, 4))
		t:add(f.b_expires, v(off + 5 + a, 8))
		off = off + 13 + a
	end
	return "coa " .. table.concat(coas, ",")
end

local function dissect_replay(v, t, family)
	if v:len() ~= 32 then
		return bad(t, string.format("replay value of %u octets, not 32",
			v:len()))
	end
	local flags = v(1, 1):uint()
	local fi = t:add(f.r_flags, v(1, 1))
	local allowed = family == 4 and 0x01 or 0x06
	if bit.band(flags, bit.bnot(allowed)) ~= 0 then
		bad(fi, "replay flags not those of the key's family")
	end
	t:add(f.r_seq6, v(2, 2))
	add_reserved(t, v(4, 4))
	t:add(f.r_id4, v(8, 8))
	t:add(f.r_ts6, v(16, 8))
	t:add(f.r_updated, v(24, 8))
	return string.format("flags 0x%02x", flags)
end

local function dissect_deleg(v, t)
	if v:len() < 20 then
		return bad(t, "deleg value shorter than 20 octets")
	end
	local flags = v(1, 1):uint()
	local fi = t:add(f.d_flags, v(1, 1))
	if bit.band(flags, 0xfe) ~= 0 then
		bad(fi, "undefined deleg flag bits")
	end
	local nl = v(2, 1):uint()
	local fam = v(3, 1):uint()
	local fa = t:add(f.d_family, v(3, 1))
	if fam ~= 4 and fam ~= 6 then
		return bad(fa, "deleg family other than 4 and 6")
	end
	t:add(f.d_generation, v(4, 4))
	t:add(f.d_boot_id, v(8, 4))
	t:add(f.d_last_seq, v(12, 8))
	local want = 20 + flen(fam) + nl
	if nl < 1 or nl > 31 or v:len() ~= want then
		return bad(t, string.format(
			"deleg value of %u octets, name of %u (1..31): fields make %u",
			v:len(), nl, want))
	end
	add_faddr(t, f.d_addr, f.d_addr6, v(20, flen(fam)))
	t:add(f.d_name, v(20 + flen(fam), nl))
	return "name " .. v(20 + flen(fam), nl):string()
end

-- A record's key and value under the operation's subtree; a summary.
local function dissect_record(key, val, t)
	local kind = key(0, 1):uint()
	local ki = t:add(f.rec_kind, key(0, 1))
	local what = KINDS[kind] or ("kind " .. kind)
	local family = 0
	if kind == 1 or kind == 2 then
		family = key:len() >= 2 and key(1, 1):uint() or 0
		if (family ~= 4 and family ~= 6) or
		   key:len() ~= 2 + flen(family) then
			bad(ki, "key is not kind, family 4 or 6, and an address")
			return what
		end
		t:add(f.rec_family, key(1, 1))
		add_faddr(t, f.rec_hoa, f.rec_hoa6, key(2, flen(family)))
		if zero(key(2, flen(family))) then
			bad(ki, "key holds the unspecified address")
		end
		what = what .. " " .. addr_str(key(2, flen(family)))
	elseif kind == 3 then
		if key:len() ~= 5 or key(1, 4):uint() == 0 then
			bad(ki, "deleg key is kind and a secondary id (not 0)")
			return what
		end
		t:add(f.rec_secondary, key(1, 4))
		what = what .. " " .. key(1, 4):uint()
	elseif kind == 0 then
		bad(ki, "the META record is never sent")
		return what
	else
		bad(ki, "unknown record kind")
		return what
	end
	if val == nil then
		return what
	end
	local ver = val(0, 1):uint()
	local vi = t:add(f.rec_version, val(0, 1))
	if ver ~= 1 then
		bad(vi, ver == 0 and "record version 0" or
			"record version newer than 1")
		return what
	end
	local s
	if kind == 1 then
		s = dissect_binding(val, t, family)
	elseif kind == 2 then
		s = dissect_replay(val, t, family)
	else
		s = dissect_deleg(val, t)
	end
	if s then
		what = what .. " " .. s
	end
	return what
end

-- ------------------------------------------------------------------
-- Messages (section 3)
-- ------------------------------------------------------------------

local function dissect_hello(b, t)
	t:add(f.nonce, b(0, 8))
	t:add(f.boot_id, b(8, 4))
	add_reserved(t, b(12, 4))
	if b(0, 8):uint64():tonumber() == 0 then
		t:add_proto_expert_info(e.value, "HELLO nonce 0")
	end
	return "nonce " .. tostring(b(0, 8):uint64())
end

local function dissect_session(b, t)
	t:add(f.nonce, b(0, 8))
	t:add(f.boot_id, b(8, 4))
	local wi = t:add(f.window, b(12, 2))
	if b(12, 2):uint() == 0 then
		wi:add_proto_expert_info(e.value, "Window 0")
	end
	add_reserved(t, b(14, 2))
	t:add(f.records, b(16, 8))
	return string.format("window %u, %s records", b(12, 2):uint(),
		tostring(b(16, 8):uint64()))
end

local function dissect_records(b, t)
	local blen = b:len()
	t:add(f.stream_seq, b(0, 8))
	local flags = b(8, 1):uint()
	local fl = t:add(f.flags, b(8, 1))
	fl:add(f.flag_bulk, b(8, 1))
	fl:add(f.flag_first, b(8, 1))
	fl:add(f.flag_last, b(8, 1))
	local lo_len, hi_len = b(9, 1):uint(), b(10, 1):uint()
	t:add(f.lo_len, b(9, 1))
	t:add(f.hi_len, b(10, 1))
	add_reserved(t, b(11, 1))
	local n = b(12, 2):uint()
	t:add(f.n_ops, b(12, 2))
	add_reserved(t, b(14, 2))
	local bulk = bit.band(flags, 0x01) ~= 0
	if bit.band(flags, 0xf8) ~= 0 then
		fl:add_proto_expert_info(e.value, "undefined flag bits")
	end
	if not bulk and (flags ~= 0 or lo_len ~= 0 or hi_len ~= 0) then
		fl:add_proto_expert_info(e.value,
			"a live message with a bulk range or flag")
	end
	if not bulk and n == 0 then
		fl:add_proto_expert_info(e.value,
			"a live message without operations")
	end
	if bulk and bit.band(flags, 0x02) ~= 0 and lo_len ~= 0 then
		fl:add_proto_expert_info(e.value,
			"BULK_FIRST with a Lo key")
	end
	if bulk and bit.band(flags, 0x04) ~= 0 and hi_len ~= 0 then
		fl:add_proto_expert_info(e.value, "BULK_LAST with a Hi key")
	end
	if bulk and bit.band(flags, 0x04) == 0 and hi_len == 0 then
		fl:add_proto_expert_info(e.value,
			"a slice that is not the last without a Hi key")
	end
	local off = RECORDS_FIXED
	if off + lo_len + hi_len > blen then
		t:add_proto_expert_info(e.ops, "Lo and Hi run past the body")
		return "truncated"
	end
	local lo = nil
	if lo_len > 0 then
		lo = b(off, lo_len)
		t:add(f.lo, lo)
	end
	off = off + lo_len
	local hi = nil
	if hi_len > 0 then
		hi = b(off, hi_len)
		t:add(f.hi, hi)
	end
	off = off + hi_len
	local prev = nil
	local summary = {}
	for i = 1, n do
		if off + 4 > blen then
			t:add_proto_expert_info(e.ops, string.format(
				"operation %u of %u runs past the body", i, n))
			break
		end
		local code, klen = b(off, 1):uint(), b(off + 1, 1):uint()
		local vlen = b(off + 2, 2):uint()
		if off + 4 + klen + vlen > blen or klen == 0 then
			t:add_proto_expert_info(e.ops, string.format(
				"operation %u of %u runs past the body "
				.. "(or has no key)", i, n))
			break
		end
		local ot = t:add(f.op, b(off, 4 + klen + vlen))
		local ci = ot:add(f.op_code, b(off, 1))
		ot:add(f.op_key_len, b(off + 1, 1))
		local vi = ot:add(f.op_val_len, b(off + 2, 2))
		local key = b(off + 4, klen)
		ot:add(f.op_key, key)
		local val = nil
		if vlen > 0 then
			val = b(off + 4 + klen, vlen)
			ot:add(f.op_value, val)
		end
		if OPS[code] == nil then
			ci:add_proto_expert_info(e.ops, "Op must be 1 or 2")
		elseif code == 1 and (vlen == 0 or vlen > 1024) then
			vi:add_proto_expert_info(e.ops, "PUT value of 1..1024")
		elseif code == 2 and vlen ~= 0 then
			vi:add_proto_expert_info(e.ops, "DELETE with a value")
		end
		if bulk then
			if code ~= 1 then
				ci:add_proto_expert_info(e.ops,
					"a bulk slice holds only PUT")
			end
			if (lo_len > 0 and key_cmp(key, lo) <= 0) or
			   (hi ~= nil and key_cmp(key, hi) > 0) then
				ot:add_proto_expert_info(e.ops,
					"key outside the slice's range (Lo, Hi]")
			end
			if prev ~= nil and key_cmp(key, prev) <= 0 then
				ot:add_proto_expert_info(e.ops,
					"keys of a slice not in increasing order")
			end
			prev = key
		end
		local what = dissect_record(key, val, ot)
		ot:set_text(string.format("Operation %u: %s %s", i,
			OPS[code] or ("op " .. code), what))
		if #summary < 3 then
			summary[#summary + 1] = (OPS[code] or "?") .. " " .. what
		end
		off = off + 4 + klen + vlen
	end
	if off < blen then
		t:add_proto_expert_info(e.ops, string.format(
			"%u octets after the last operation", blen - off))
	end
	local kind = bulk and (bit.band(flags, 0x04) ~= 0 and "bulk slice LAST"
		or "bulk slice") or "live"
	return string.format("stream %s, %s, %u op%s%s",
		tostring(b(0, 8):uint64()), kind, n, n == 1 and "" or "s",
		#summary > 0 and (": " .. table.concat(summary, "; ")) or "")
end

local function dissect_ack(b, t)
	t:add(f.acked, b(0, 8))
	local fl = t:add(f.ack_flags, b(8, 1))
	fl:add(f.ack_gap, b(8, 1))
	if bit.band(b(8, 1):uint(), 0xfe) ~= 0 then
		fl:add_proto_expert_info(e.value, "undefined flag bits")
	end
	add_reserved(t, b(9, 3))
	return string.format("acked %s%s", tostring(b(0, 8):uint64()),
		bit.band(b(8, 1):uint(), 1) ~= 0 and " GAP" or "")
end

local function dissect_heartbeat(b, t)
	local role, state = b(0, 1):uint(), b(1, 1):uint()
	local ri = t:add(f.role, b(0, 1))
	if ROLES[role] == nil then
		ri:add_proto_expert_info(e.value, "Role 3..255")
	end
	local si = t:add(f.state, b(1, 1))
	if STATES[state] == nil then
		si:add_proto_expert_info(e.value, "State 4..255")
	end
	add_reserved(t, b(2, 2))
	local ii = t:add(f.interval, b(4, 4))
	if b(4, 4):uint() == 0 then
		ii:add_proto_expert_info(e.value, "Interval 0")
	end
	t:add(f.boot_id, b(8, 4))
	add_reserved(t, b(12, 4))
	t:add(f.stream_seq, b(16, 8))
	return string.format("%s %s every %u ms, stream %s",
		ROLES[role] or ("role " .. role), STATES[state] or
		("state " .. state), b(4, 4):uint(), tostring(b(16, 8):uint64()))
end

local function dissect_bye(b, t)
	local r = b(0, 1):uint()
	local ri = t:add(f.reason, b(0, 1))
	if REASONS[r] == nil then
		ri:add_proto_expert_info(e.value, "Reason 4..255")
	end
	add_reserved(t, b(1, 3))
	return REASONS[r] or ("reason " .. r)
end

local BODY = {
	[1] = dissect_hello, [2] = dissect_session, [3] = dissect_records,
	[4] = dissect_ack, [5] = dissect_heartbeat, [6] = dissect_bye,
}

function p.dissector(tvb, pinfo, root)
	local len = tvb:len()
	if len < 1 then
		return 0
	end
	pinfo.cols.protocol = "HAVENSYNC"
	local tree = root:add(p, tvb())
	local version = tvb(0, 1):uint()
	local vi = tree:add(f.version, tvb(0, 1))
	if version ~= 1 then
		vi:add_proto_expert_info(e.version)
	end
	if len < HEADER_LEN then
		tree:add_proto_expert_info(e.truncated, string.format(
			"%u octets, shorter than the 28-octet header", len))
		pinfo.cols.info = "Truncated sync message"
		return len
	end
	local mtype = tvb(1, 1):uint()
	local name = TYPES[mtype] or ("type " .. mtype)
	local ti = tree:add(f.type, tvb(1, 1))
	if TYPES[mtype] == nil then
		ti:add_proto_expert_info(e.type)
	end
	local body_len = tvb(2, 2):uint()
	local bi = tree:add(f.body_len, tvb(2, 2))
	tree:add(f.sender, tvb(4, 4))
	tree:add(f.receiver, tvb(8, 4))
	tree:add(f.seq, tvb(12, 8))
	tree:add(f.session, tvb(20, 8))
	tree:append_text(string.format(", %s, %u -> %u", name,
		tvb(4, 4):uint(), tvb(8, 4):uint()))
	if len < MIN_LEN or len > MAX_LEN then
		tree:add_proto_expert_info(e.length, string.format(
			"Datagram of %u octets, outside 60..1400", len))
	end
	local has_mac = len >= MIN_LEN
	local blen = has_mac and len - MIN_LEN or len - HEADER_LEN
	if body_len ~= blen then
		bi:add_proto_expert_info(e.body_len, string.format(
			"Body Length %u, but the datagram holds %u octets of body",
			body_len, blen))
	end
	local detail = ""
	if version == 1 and BODY[mtype] ~= nil then
		local body = blen > 0 and tvb(HEADER_LEN, blen):tvb() or nil
		local bt = tree
		if blen > 0 then
			bt = tree:add(tvb(HEADER_LEN, blen), name .. " body")
		end
		local fixed = FIXED_BODY[mtype]
		if fixed ~= nil and blen ~= fixed then
			bt:add_proto_expert_info(e.type_len, string.format(
				"%s body of %u octets, not %u", name, blen, fixed))
		end
		local need = fixed or RECORDS_FIXED
		if blen >= need then
			detail = " " .. BODY[mtype](body, bt)
		else
			bt:add_proto_expert_info(e.truncated, string.format(
				"%s needs %u octets of body, %u present", name,
				need, blen))
		end
	elseif blen > 0 then
		tree:add(tvb(HEADER_LEN, blen), "Body (not decoded)")
	end
	if has_mac then
		local hi = tree:add(f.hmac, tvb(len - HMAC_LEN, HMAC_LEN))
		hi:append_text(" (not verified: the pair's key)")
	else
		tree:add_proto_expert_info(e.truncated,
			"No room for the HMAC-SHA256 trailer")
	end
	pinfo.cols.info = string.format("%s seq %s%s", name,
		tostring(tvb(12, 8):uint64()), detail)
	return len
end

local udp_port = DissectorTable.get("udp.port")
local registered = PORT

function p.init()
	if p.prefs.port ~= registered then
		udp_port:remove(registered, p)
		udp_port:add(p.prefs.port, p)
		registered = p.prefs.port
	end
end

udp_port:add(PORT, p)
