-- SPDX-License-Identifier: BSD-3-Clause
--
-- Wireshark / tshark dissector for the Haven Delegation Protocol, version 1
-- (docs/delegation-protocol.md): the messages a primary home agent (PHA)
-- and its secondary home agents (SHA) exchange on UDP port 4434 (EP 1134991
-- load balancing), for IPv4 (Family 4) and IPv6 (Family 6, section 9)
-- bindings. Every field of every message type is decoded; the
-- HMAC-SHA256 trailer is shown as bytes (it is not verified: the key is
-- secret and Wireshark's Lua has no HMAC).
--
-- Use:
--   tshark -X lua_script:app/wireshark/haven_deleg.lua -r capture.pcap \
--       -Y havendeleg -T fields -e havendeleg.type -e havendeleg.hoa
--   wireshark -X lua_script:app/wireshark/haven_deleg.lua capture.pcap
-- or copy this file to ~/.local/lib/wireshark/plugins/ (any Wireshark 3.x
-- or 4.x). Another port: Decode As... "HAVENDELEG", or the protocol's
-- "UDP port" preference.
--
-- Display filter fields (havendeleg.*):
--   header  version type body_len sender receiver seq txid family reserved
--   START   hoa outer_src generation duration encap flags flags.t
--           n_coa body_reserved coa (one per care-of address)
--   ACKs    hoa generation status body_reserved load capacity
--   STOP    hoa generation reason body_reserved
--   REPORT  interval load capacity boot_id packets bytes part parts
--           n_entries body_reserved entry (subtree) entry.hoa
--           entry.generation entry.packets entry.bytes
--   trailer hmac
-- Family 6 messages use hoa6, outer_src6, coa6 and entry.hoa6 (IPv6
-- fields) in place of hoa, outer_src, coa and entry.hoa.
-- Expert info (havendeleg.expert.*): wrong version, body length that
-- disagrees with the datagram or with the type, Family and counts, unknown
-- type, family other than 4 and 6 (or a body of the other family's
-- length), non-zero reserved octets, out-of-range values, truncated
-- datagrams.

local PORT = 4434
local HEADER_LEN = 28
local HMAC_LEN = 32
local MIN_LEN = HEADER_LEN + HMAC_LEN
local MAX_LEN = 1400
local MAX_COA = 4
local MAX_ENTRIES = 48
local ENTRY_LEN = 24
local MAX_ENTRIES6 = 36		-- Family 6: 36 entries of 36 octets

local p = Proto("havendeleg", "Haven Delegation Protocol")

local TYPES = {
	[1] = "START",
	[2] = "START_ACK",
	[3] = "STOP",
	[4] = "STOP_ACK",
	[5] = "REPORT",
}
local STATUS = {
	[0] = "OK",
	[1] = "OVER_CAPACITY",
	[2] = "STALE",
	[3] = "BAD_REQUEST",
	[4] = "NOT_PRIMARY",
}
local REASONS = {
	[0] = "UNDELEGATE",
	[1] = "DEREGISTERED",
	[2] = "EXPIRED",
	[3] = "TAKEBACK",
}
local ENCAPS = {
	[0] = "IP-in-IP (RFC 2003)",
	[1] = "minimal (RFC 2004)",
	[2] = "GRE (RFC 2784)",
	[3] = "IPv6 in IPv6 (RFC 2473)",
}
local FAMILIES = {
	[4] = "IPv4",
	[6] = "IPv6",
}

local f = p.fields
-- header (2.1)
f.version = ProtoField.uint8("havendeleg.version", "Version", base.DEC)
f.type = ProtoField.uint8("havendeleg.type", "Type", base.DEC, TYPES)
f.body_len = ProtoField.uint16("havendeleg.body_len", "Body Length", base.DEC)
f.sender = ProtoField.uint32("havendeleg.sender", "Sender ID", base.DEC)
f.receiver = ProtoField.uint32("havendeleg.receiver", "Receiver ID", base.DEC)
f.seq = ProtoField.uint64("havendeleg.seq", "Sequence Number", base.DEC)
f.txid = ProtoField.uint32("havendeleg.txid", "Transaction ID", base.DEC)
f.family = ProtoField.uint8("havendeleg.family", "Family", base.DEC, FAMILIES)
f.reserved = ProtoField.uint24("havendeleg.reserved", "Reserved", base.HEX)
-- bodies (2.3 - 2.6)
f.hoa = ProtoField.ipv4("havendeleg.hoa", "Home Address")
f.outer_src = ProtoField.ipv4("havendeleg.outer_src", "Outer Source Address")
f.generation = ProtoField.uint32("havendeleg.generation", "Generation", base.DEC)
f.duration = ProtoField.uint32("havendeleg.duration", "Duration (s)", base.DEC)
f.encap = ProtoField.uint8("havendeleg.encap", "Encap", base.DEC, ENCAPS)
f.flags = ProtoField.uint8("havendeleg.flags", "Flags", base.HEX)
f.flag_t = ProtoField.bool("havendeleg.flags.t", "T (reverse tunnelling)", 8,
	nil, 0x01)
f.n_coa = ProtoField.uint8("havendeleg.n_coa", "N CoA", base.DEC)
f.body_reserved = ProtoField.bytes("havendeleg.body_reserved",
	"Reserved (body)")
f.coa = ProtoField.ipv4("havendeleg.coa", "Care-of Address")
f.hoa6 = ProtoField.ipv6("havendeleg.hoa6", "Home Address (IPv6)")
f.outer_src6 = ProtoField.ipv6("havendeleg.outer_src6",
	"Outer Source Address (IPv6)")
f.coa6 = ProtoField.ipv6("havendeleg.coa6", "Care-of Address (IPv6)")
f.status = ProtoField.uint8("havendeleg.status", "Status", base.DEC, STATUS)
f.load = ProtoField.uint32("havendeleg.load", "Load", base.DEC)
f.capacity = ProtoField.uint32("havendeleg.capacity", "Capacity", base.DEC)
f.reason = ProtoField.uint8("havendeleg.reason", "Reason", base.DEC, REASONS)
f.interval = ProtoField.uint32("havendeleg.interval", "Interval (ms)", base.DEC)
f.boot_id = ProtoField.uint32("havendeleg.boot_id", "Boot ID", base.HEX)
f.packets = ProtoField.uint64("havendeleg.packets", "Packets", base.DEC)
f.bytes = ProtoField.uint64("havendeleg.bytes", "Bytes", base.DEC)
f.part = ProtoField.uint16("havendeleg.part", "Part", base.DEC)
f.parts = ProtoField.uint16("havendeleg.parts", "Parts", base.DEC)
f.n_entries = ProtoField.uint16("havendeleg.n_entries", "N Entries", base.DEC)
f.entry = ProtoField.none("havendeleg.entry", "Entry")
f.entry_hoa = ProtoField.ipv4("havendeleg.entry.hoa", "Home Address")
f.entry_hoa6 = ProtoField.ipv6("havendeleg.entry.hoa6",
	"Home Address (IPv6)")
f.entry_generation = ProtoField.uint32("havendeleg.entry.generation",
	"Generation", base.DEC)
f.entry_packets = ProtoField.uint64("havendeleg.entry.packets", "Packets",
	base.DEC)
f.entry_bytes = ProtoField.uint64("havendeleg.entry.bytes", "Bytes", base.DEC)
-- trailer (3)
f.hmac = ProtoField.bytes("havendeleg.hmac", "HMAC-SHA256")

local e = {
	version = ProtoExpert.new("havendeleg.expert.version",
		"Unsupported version (only 1 is defined)",
		expert.group.MALFORMED, expert.severity.ERROR),
	length = ProtoExpert.new("havendeleg.expert.length",
		"Datagram length outside 60..1400 octets",
		expert.group.MALFORMED, expert.severity.ERROR),
	body_len = ProtoExpert.new("havendeleg.expert.body_len",
		"Body Length does not match the datagram (length - 28 - 32)",
		expert.group.MALFORMED, expert.severity.ERROR),
	type_len = ProtoExpert.new("havendeleg.expert.type_len",
		"Body length wrong for the message type and its counts",
		expert.group.MALFORMED, expert.severity.ERROR),
	type = ProtoExpert.new("havendeleg.expert.type",
		"Unknown message type", expert.group.MALFORMED,
		expert.severity.ERROR),
	family = ProtoExpert.new("havendeleg.expert.family",
		"Family other than 4 (IPv4) and 6 (IPv6) is malformed",
		expert.group.MALFORMED, expert.severity.ERROR),
	reserved = ProtoExpert.new("havendeleg.expert.reserved",
		"Reserved octets not zero", expert.group.MALFORMED,
		expert.severity.ERROR),
	value = ProtoExpert.new("havendeleg.expert.value",
		"Field value out of range", expert.group.MALFORMED,
		expert.severity.ERROR),
	truncated = ProtoExpert.new("havendeleg.expert.truncated",
		"Message truncated", expert.group.MALFORMED,
		expert.severity.ERROR),
}
p.experts = { e.version, e.length, e.body_len, e.type_len, e.type, e.family,
	e.reserved, e.value, e.truncated }

p.prefs.port = Pref.uint("UDP port", PORT,
	"UDP port of the delegation protocol (both source and destination)")

-- An address of the message's family: a = 4 (IPv4) or 16 (IPv6).
local function ip(tvb)
	if tvb:len() == 16 then
		return tostring(tvb:ipv6())
	end
	return tostring(tvb:ipv4())
end

local function zero(tvb)
	for i = 0, tvb:len() - 1 do
		if tvb(i, 1):uint() ~= 0 then
			return false
		end
	end
	return true
end

-- Why an address cannot name a binding's end, or nil (2.3, 9.3).
local function unusable(tvb)
	if zero(tvb) then
		return tvb:len() == 16 and "::" or "0.0.0.0"
	end
	if tvb:len() == 16 and tvb(0, 1):uint() == 0xff then
		return "multicast"
	end
	return nil
end

-- Body lengths of sections 2.2 and 9.2, from the fixed part's counts;
-- a is the address length of the family (4 or 16).
local function expected_len(mtype, body, a)
	local start_fixed = 2 * a + 12
	if body == nil then
		return ({ [1] = start_fixed, [2] = a + 16, [3] = a + 8,
			[4] = a + 16, [5] = 40 })[mtype]
	end
	if mtype == 1 then
		if body:len() < start_fixed then return start_fixed end
		return start_fixed + a * body(2 * a + 10, 1):uint()
	elseif mtype == 2 or mtype == 4 then
		return a + 16
	elseif mtype == 3 then
		return a + 8
	elseif mtype == 5 then
		if body:len() < 40 then return 40 end
		return 40 + (a + 20) * body(36, 2):uint()
	end
	return nil
end

local function add_reserved(tree, tvb)
	local it = tree:add(f.body_reserved, tvb)
	if not zero(tvb) then
		it:add_proto_expert_info(e.reserved)
	end
end

local function add_addr(tree, field4, field6, tvb, what)
	local it = tree:add(tvb:len() == 16 and field6 or field4, tvb)
	local bad = unusable(tvb)
	if bad ~= nil then
		it:add_proto_expert_info(e.value, what .. " " .. bad)
	end
	return it
end

local function dissect_start(body, tree, a)
	local hoa = ip(body(0, a))
	add_addr(tree, f.hoa, f.hoa6, body(0, a), "Home Address")
	add_addr(tree, f.outer_src, f.outer_src6, body(a, a),
		"Outer Source Address")
	local q = 2 * a
	tree:add(f.generation, body(q, 4))
	local dur = body(q + 4, 4):uint()
	local di = tree:add(f.duration, body(q + 4, 4))
	if dur == 0xffffffff then
		di:append_text(" (no end)")
	elseif dur == 0 then
		di:add_proto_expert_info(e.value, "Duration 0 is malformed")
	end
	local encap = body(q + 8, 1):uint()
	local ei = tree:add(f.encap, body(q + 8, 1))
	if ENCAPS[encap] == nil then
		ei:add_proto_expert_info(e.value, "Unknown encapsulation")
	elseif a == 16 and encap ~= 3 then
		ei:add_proto_expert_info(e.value,
			"Encap of Family 6 must be 3 (IPv6 in IPv6)")
	elseif a == 4 and encap == 3 then
		ei:add_proto_expert_info(e.value,
			"Encap 3 (IPv6 in IPv6) is for Family 6 only")
	end
	local fl = tree:add(f.flags, body(q + 9, 1))
	fl:add(f.flag_t, body(q + 9, 1))
	if bit.band(body(q + 9, 1):uint(), 0xfe) ~= 0 then
		fl:add_proto_expert_info(e.reserved, "Undefined flag bits set")
	end
	local n = body(q + 10, 1):uint()
	local ni = tree:add(f.n_coa, body(q + 10, 1))
	if n < 1 or n > MAX_COA then
		ni:add_proto_expert_info(e.value, "N CoA must be 1..4")
	end
	add_reserved(tree, body(q + 11, 1))
	local coas = {}
	for i = 0, n - 1 do
		local off = q + 12 + a * i
		if off + a > body:len() then
			break
		end
		add_addr(tree, f.coa, f.coa6, body(off, a), "Care-of Address")
		coas[#coas + 1] = ip(body(off, a))
	end
	return string.format("%s gen %u coa %s", hoa, body(q, 4):uint(),
		table.concat(coas, ","))
end

local function dissect_ack(body, tree, a)
	local hoa = ip(body(0, a))
	add_addr(tree, f.hoa, f.hoa6, body(0, a), "Home Address")
	tree:add(f.generation, body(a, 4))
	local st = body(a + 4, 1):uint()
	local si = tree:add(f.status, body(a + 4, 1))
	if STATUS[st] == nil then
		si:add_proto_expert_info(e.value, "Status 5..255 is malformed")
	end
	add_reserved(tree, body(a + 5, 3))
	tree:add(f.load, body(a + 8, 4))
	tree:add(f.capacity, body(a + 12, 4))
	return string.format("%s gen %u %s load %u/%u", hoa, body(a, 4):uint(),
		STATUS[st] or ("status " .. st), body(a + 8, 4):uint(),
		body(a + 12, 4):uint())
end

local function dissect_stop(body, tree, a)
	local hoa = ip(body(0, a))
	add_addr(tree, f.hoa, f.hoa6, body(0, a), "Home Address")
	tree:add(f.generation, body(a, 4))
	local r = body(a + 4, 1):uint()
	local ri = tree:add(f.reason, body(a + 4, 1))
	if REASONS[r] == nil then
		ri:add_proto_expert_info(e.value, "Reason 4..255 is malformed")
	end
	add_reserved(tree, body(a + 5, 3))
	return string.format("%s gen %u %s", hoa, body(a, 4):uint(),
		REASONS[r] or ("reason " .. r))
end

local function dissect_report(body, tree, a)
	local elen = a + 20
	local max = a == 16 and MAX_ENTRIES6 or MAX_ENTRIES
	local ii = tree:add(f.interval, body(0, 4))
	if body(0, 4):uint() == 0 then
		ii:add_proto_expert_info(e.value, "Interval 0 is malformed")
	end
	tree:add(f.load, body(4, 4))
	tree:add(f.capacity, body(8, 4))
	tree:add(f.boot_id, body(12, 4))
	tree:add(f.packets, body(16, 8))
	tree:add(f.bytes, body(24, 8))
	local part, parts = body(32, 2):uint(), body(34, 2):uint()
	tree:add(f.part, body(32, 2))
	local pi = tree:add(f.parts, body(34, 2))
	if parts < 1 or part >= parts then
		pi:add_proto_expert_info(e.value, "Need Parts >= 1 and Part < Parts")
	end
	local n = body(36, 2):uint()
	local ni = tree:add(f.n_entries, body(36, 2))
	if n > max then
		ni:add_proto_expert_info(e.value, string.format(
			"N Entries must be 0..%u", max))
	end
	add_reserved(tree, body(38, 2))
	for i = 0, n - 1 do
		local off = 40 + elen * i
		if off + elen > body:len() then
			break
		end
		local en = body(off, elen)
		local t = tree:add(f.entry, en)
		t:set_text(string.format("Entry %u: %s gen %u, %s packets, %s bytes",
			i + 1, ip(en(0, a)), en(a, 4):uint(),
			tostring(en(a + 4, 8):uint64()),
			tostring(en(a + 12, 8):uint64())))
		add_addr(t, f.entry_hoa, f.entry_hoa6, en(0, a), "Home Address")
		t:add(f.entry_generation, en(a, 4))
		t:add(f.entry_packets, en(a + 4, 8))
		t:add(f.entry_bytes, en(a + 12, 8))
	end
	return string.format("load %u/%u part %u/%u, %u entr%s", body(4, 4):uint(),
		body(8, 4):uint(), part + 1, parts, n, n == 1 and "y" or "ies")
end

local BODY = {
	[1] = dissect_start,
	[2] = dissect_ack,
	[3] = dissect_stop,
	[4] = dissect_ack,
	[5] = dissect_report,
}

function p.dissector(tvb, pinfo, root)
	local len = tvb:len()
	if len < 1 then
		return 0
	end
	pinfo.cols.protocol = "HAVENDELEG"
	local tree = root:add(p, tvb())
	local version = tvb(0, 1):uint()
	local vi = tree:add(f.version, tvb(0, 1))
	if version ~= 1 then
		vi:add_proto_expert_info(e.version)
	end
	if len < HEADER_LEN then
		tree:add_proto_expert_info(e.truncated,
			string.format("%u octets, shorter than the 28-octet header",
				len))
		pinfo.cols.info = "Truncated delegation message"
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
	tree:add(f.txid, tvb(20, 4))
	local fam = tvb(24, 1):uint()
	local fi = tree:add(f.family, tvb(24, 1))
	if fam ~= 4 and fam ~= 6 then
		fi:add_proto_expert_info(e.family)
	end
	-- address length of the body; an unknown family is shown as IPv4
	local a = fam == 6 and 16 or 4
	local ri = tree:add(f.reserved, tvb(25, 3))
	if tvb(25, 3):uint() ~= 0 then
		ri:add_proto_expert_info(e.reserved)
	end
	tree:append_text(string.format(", %s, %u -> %u", name,
		tvb(4, 4):uint(), tvb(8, 4):uint()))

	if len < MIN_LEN or len > MAX_LEN then
		tree:add_proto_expert_info(e.length,
			string.format("Datagram of %u octets, outside 60..1400", len))
	end
	local actual = len - HEADER_LEN - HMAC_LEN
	if actual < 0 then
		actual = 0
	end
	if body_len ~= actual then
		bi:add_proto_expert_info(e.body_len, string.format(
			"Body Length %u, but the datagram holds %u octets of body",
			body_len, actual))
	end

	-- The HMAC is always the last 32 octets (section 3); the body is what
	-- lies between the header and it, whatever Body Length claims.
	local detail = ""
	local has_mac = len >= MIN_LEN
	local blen = has_mac and len - MIN_LEN or len - HEADER_LEN
	local body = blen > 0 and tvb(HEADER_LEN, blen):tvb() or nil
	local want = expected_len(mtype, body, a)
	if version == 1 and want ~= nil then
		local bt = tree
		if blen > 0 then
			bt = tree:add(tvb(HEADER_LEN, blen), name .. " body")
		end
		if blen ~= want then
			bt:add_proto_expert_info(e.type_len, string.format(
				"%s body of %u octets; its type and counts say %u",
				name, blen, want))
			-- a body of the other family's length: say so
			local other = a == 16 and 4 or 16
			if (fam == 4 or fam == 6) and
			   blen == expected_len(mtype, body, other) then
				fi:add_proto_expert_info(e.family, string.format(
					"Family %u, but the body has the length of "
					.. "Family %u: %s", fam, fam == 6 and 4 or 6,
					fam == 6 and "a Family other than 4 carries "
					.. "16-octet addresses" or "Family 4 carries "
					.. "4-octet addresses"))
			end
		end
		-- the fixed part must be there; entries and CoAs are cut at
		-- what the datagram holds
		local fixed = expected_len(mtype, nil, a)
		if blen >= fixed then
			detail = " " .. BODY[mtype](body, bt, a)
		else
			bt:add_proto_expert_info(e.truncated, string.format(
				"%s needs at least %u octets of body, %u present",
				name, fixed, blen))
		end
	elseif blen > 0 then
		tree:add(tvb(HEADER_LEN, blen), "Body (not decoded)")
	end

	if has_mac then
		local hi = tree:add(f.hmac, tvb(len - HMAC_LEN, HMAC_LEN))
		hi:append_text(" (not verified: per-peer key)")
	else
		tree:add_proto_expert_info(e.truncated,
			"No room for the HMAC-SHA256 trailer")
	end

	pinfo.cols.info = string.format("%s seq %s txid %u%s", name,
		tostring(tvb(12, 8):uint64()), tvb(20, 4):uint(), detail)
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
