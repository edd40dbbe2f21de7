-- SPDX-License-Identifier: BSD-3-Clause
--
-- Wireshark / tshark dissector for the Haven Delegation Protocol, version 1
-- (docs/delegation-protocol.md): the messages a primary home agent (PHA)
-- and its secondary home agents (SHA) exchange on UDP port 4434 (EP 1134991
-- load balancing), for IPv4 (Family 4) and IPv6 (Family 6, section 9)
-- bindings, UDP tunnelling of bindings behind a NAT (encap 4, 2.3.1), and
-- the scale extension (section 11: BATCH, BATCH_ACK, HEARTBEAT, COUNTERS,
-- SYNC, INVENTORY). Every field of every message type is decoded. The
-- HMAC-SHA256 trailer is verified when the "keys" preference holds the
-- key of the pair of agents (a SHA-256 in Lua: Wireshark's Lua has none).
--
-- Use:
--   tshark -X lua_script:app/wireshark/haven_deleg.lua -r capture.pcap \
--       -o 'havendeleg.keys:11=00112233...,12=4455...' \
--       -Y havendeleg -T fields -e havendeleg.type -e havendeleg.hoa \
--       -e havendeleg.hmac_status
--   wireshark -X lua_script:app/wireshark/haven_deleg.lua capture.pcap
-- or copy this file to ~/.local/lib/wireshark/plugins/ (any Wireshark 3.x
-- or 4.x). Another port: Decode As... "HAVENDELEG", or the protocol's
-- "UDP port" preference.
--
-- Keys preference ("Peer keys"): comma- or space-separated "id=hex" (the
-- key a secondary of agent id "id" shares with its primary) or
-- "id-id=hex" (the key of that pair of agents, either order); "hex:" before
-- the hex digits is allowed. A message is verified with the key of its
-- (sender, receiver) pair, else of its sender, else of its receiver.
--
-- Display filter fields (havendeleg.*):
--   header  version type body_len sender receiver seq txid family reserved
--   START   hoa outer_src generation duration encap flags flags.t
--           n_coa body_reserved coa (one per care-of address)
--           encap 4: udp_src_port udp_next_header nat_addr nat_port
--   ACKs    hoa generation status body_reserved load capacity
--   STOP    hoa generation reason body_reserved
--   REPORT  interval load capacity boot_id packets bytes part parts
--           n_entries body_reserved entry (subtree) entry.hoa
--           entry.generation entry.packets entry.bytes
--   BATCH   n_records record (subtree) record.kind record.family
--           record.length record.txid, and the START or STOP fields of
--           each record (hoa, coa, generation, ...)
--   BATCH_ACK load capacity n_records record (subtree) record.kind
--           record.family status record.txid generation hoa
--   HEARTBEAT interval load capacity boot_id window features
--           features.batch features.udp features.ipv6 digest packets bytes
--   COUNTERS n_entries entry (as REPORT's)
--   SYNC    features
--   INVENTORY load part parts n_entries digest entry entry.hoa
--           entry.generation
--   trailer hmac hmac_status ("good", "bad" or "no key")
-- Family 6 addresses use hoa6, outer_src6, coa6 and entry.hoa6 (IPv6
-- fields) in place of hoa, outer_src, coa and entry.hoa.
-- Expert info (havendeleg.expert.*): wrong version, body length that
-- disagrees with the datagram or with the type, Family and counts, unknown
-- type, a Family the type does not take, non-zero reserved octets,
-- out-of-range values, truncated datagrams and records, an HMAC that does
-- not verify with the configured key.

local PORT = 4434
local HEADER_LEN = 28
local HMAC_LEN = 32
local MIN_LEN = HEADER_LEN + HMAC_LEN
local MAX_LEN = 1400
local MAX_COA = 4
local MAX_ENTRIES = 48
local MAX_ENTRIES6 = 36		-- Family 6: 36 entries of 36 octets
local MAX_RECORDS = 64		-- BATCH, BATCH_ACK (11.2, 11.3)
local MAX_COUNTERS, MAX_COUNTERS6 = 55, 37		-- 11.8
local MAX_INVENTORY, MAX_INVENTORY6 = 165, 66		-- 11.9

local p = Proto("havendeleg", "Haven Delegation Protocol")

local TYPES = {
	[1] = "START",
	[2] = "START_ACK",
	[3] = "STOP",
	[4] = "STOP_ACK",
	[5] = "REPORT",
	[6] = "BATCH",
	[7] = "BATCH_ACK",
	[8] = "HEARTBEAT",
	[9] = "COUNTERS",
	[10] = "SYNC",
	[11] = "INVENTORY",
}
-- Types whose header Family is 0 (11.1): records say their own, or none.
local FAMILY0 = { [6] = true, [7] = true, [8] = true, [10] = true }
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
	[4] = "IP in UDP (RFC 3519)",
}
local NEXT_HEADERS = {
	[4] = "IP in IP",
	[47] = "GRE",
	[55] = "minimal",
}
local FAMILIES = {
	[0] = "none (per record)",
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
-- encap 4 (2.3.1)
f.udp_src_port = ProtoField.uint16("havendeleg.udp_src_port",
	"UDP Source Port", base.DEC)
f.udp_next_header = ProtoField.uint8("havendeleg.udp_next_header",
	"UDP Next Header", base.DEC, NEXT_HEADERS)
f.nat_addr = ProtoField.ipv4("havendeleg.nat_addr", "NAT Address")
f.nat_port = ProtoField.uint16("havendeleg.nat_port", "NAT Port", base.DEC)
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
-- the scale extension (11)
f.n_records = ProtoField.uint16("havendeleg.n_records", "N Records", base.DEC)
f.record = ProtoField.none("havendeleg.record", "Record")
f.record_kind = ProtoField.uint8("havendeleg.record.kind", "Kind", base.DEC,
	TYPES)
f.record_family = ProtoField.uint8("havendeleg.record.family", "Family",
	base.DEC, FAMILIES)
f.record_length = ProtoField.uint16("havendeleg.record.length", "Length",
	base.DEC)
f.record_txid = ProtoField.uint32("havendeleg.record.txid", "Transaction ID",
	base.DEC)
f.window = ProtoField.uint16("havendeleg.window", "Window", base.DEC)
f.features = ProtoField.uint16("havendeleg.features", "Features", base.HEX)
f.feat_batch = ProtoField.bool("havendeleg.features.batch",
	"BATCH (types 6-11)", 16, nil, 0x0001)
f.feat_udp = ProtoField.bool("havendeleg.features.udp",
	"UDP tunnelling (encap 4)", 16, nil, 0x0002)
f.feat_ipv6 = ProtoField.bool("havendeleg.features.ipv6",
	"IPv6 bindings", 16, nil, 0x0004)
f.digest = ProtoField.uint64("havendeleg.digest", "Digest", base.HEX)
-- trailer (3)
f.hmac = ProtoField.bytes("havendeleg.hmac", "HMAC-SHA256")
f.hmac_status = ProtoField.string("havendeleg.hmac_status", "HMAC status")

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
	hmac = ProtoExpert.new("havendeleg.expert.hmac",
		"HMAC-SHA256 does not verify with the configured key",
		expert.group.CHECKSUM, expert.severity.ERROR),
}
p.experts = { e.version, e.length, e.body_len, e.type_len, e.type, e.family,
	e.reserved, e.value, e.truncated, e.hmac }

p.prefs.port = Pref.uint("UDP port", PORT,
	"UDP port of the delegation protocol (both source and destination)")
p.prefs.keys = Pref.string("Peer keys", "",
	"Keys to verify HMACs: \"id=hex\" or \"id-id=hex\", separated by "
	.. "commas or spaces (agent IDs, decimal)")

-- ---------------------------------------------------------------------
-- SHA-256 and HMAC (FIPS 180-4, RFC 2104), for the keys preference
-- ---------------------------------------------------------------------

local band, bor, bxor, bnot = bit32.band, bit32.bor, bit32.bxor, bit32.bnot
local rrotate, rshift = bit32.rrotate, bit32.rshift

local K256 = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function be32(n)
	return string.char(band(rshift(n, 24), 0xff), band(rshift(n, 16), 0xff),
		band(rshift(n, 8), 0xff), band(n, 0xff))
end

-- The SHA-256 of a Lua string, as a 32-octet string.
local function sha256(msg)
	local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
	local bits = #msg * 8
	msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) ..
		be32(math.floor(bits / 4294967296)) .. be32(bits % 4294967296)
	local w = {}
	for chunk = 1, #msg, 64 do
		for i = 0, 15 do
			local b1, b2, b3, b4 = msg:byte(chunk + 4 * i,
				chunk + 4 * i + 3)
			w[i] = bor(b1 * 16777216, b2 * 65536, b3 * 256, b4)
		end
		for i = 16, 63 do
			local s0 = bxor(rrotate(w[i - 15], 7),
				rrotate(w[i - 15], 18), rshift(w[i - 15], 3))
			local s1 = bxor(rrotate(w[i - 2], 17),
				rrotate(w[i - 2], 19), rshift(w[i - 2], 10))
			w[i] = band(w[i - 16] + s0 + w[i - 7] + s1, 0xffffffff)
		end
		local a, b, c, d, e5, f5, g, hh = h[1], h[2], h[3], h[4], h[5],
			h[6], h[7], h[8]
		for i = 0, 63 do
			local s1 = bxor(rrotate(e5, 6), rrotate(e5, 11),
				rrotate(e5, 25))
			local ch = bxor(band(e5, f5), band(bnot(e5), g))
			local t1 = hh + s1 + ch + K256[i + 1] + w[i]
			local s0 = bxor(rrotate(a, 2), rrotate(a, 13),
				rrotate(a, 22))
			local maj = bxor(band(a, b), band(a, c), band(b, c))
			local t2 = s0 + maj
			hh, g, f5 = g, f5, e5
			e5 = band(d + t1, 0xffffffff)
			d, c, b = c, b, a
			a = band(t1 + t2, 0xffffffff)
		end
		h[1] = band(h[1] + a, 0xffffffff)
		h[2] = band(h[2] + b, 0xffffffff)
		h[3] = band(h[3] + c, 0xffffffff)
		h[4] = band(h[4] + d, 0xffffffff)
		h[5] = band(h[5] + e5, 0xffffffff)
		h[6] = band(h[6] + f5, 0xffffffff)
		h[7] = band(h[7] + g, 0xffffffff)
		h[8] = band(h[8] + hh, 0xffffffff)
	end
	local out = {}
	for i = 1, 8 do
		out[i] = be32(h[i])
	end
	return table.concat(out)
end

local function hmac_sha256(key, msg)
	if #key > 64 then
		key = sha256(key)
	end
	key = key .. string.rep("\0", 64 - #key)
	local ipad = (key:gsub(".", function(c)
		return string.char(bxor(c:byte(), 0x36))
	end))
	local opad = (key:gsub(".", function(c)
		return string.char(bxor(c:byte(), 0x5c))
	end))
	return sha256(opad .. sha256(ipad .. msg))
end

-- The keys preference, parsed: keys[id] or keys[lo .. "-" .. hi].
local keys, keys_text = {}, nil

local function parse_keys(text)
	local out = {}
	for item in text:gmatch("[^,%s]+") do
		local id, hex = item:match("^([%d%-]+)=(.+)$")
		if id ~= nil then
			hex = hex:gsub("^hex:", "")
			if hex:match("^%x+$") and #hex % 2 == 0 then
				local a, b = id:match("^(%d+)%-(%d+)$")
				if a ~= nil then
					a, b = tonumber(a), tonumber(b)
					if a > b then a, b = b, a end
					id = a .. "-" .. b
				end
				out[id] = (hex:gsub("%x%x", function(x)
					return string.char(tonumber(x, 16))
				end))
			end
		end
	end
	return out
end

local function key_of(sender, receiver)
	if keys_text ~= p.prefs.keys then
		keys_text = p.prefs.keys
		keys = parse_keys(keys_text or "")
	end
	local lo, hi = math.min(sender, receiver), math.max(sender, receiver)
	return keys[lo .. "-" .. hi] or keys[tostring(sender)] or
		keys[tostring(receiver)]
end

-- ---------------------------------------------------------------------
-- Fields
-- ---------------------------------------------------------------------

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

-- Length of a START body of family a (2.3, 2.3.1, 9.3), from its fields.
local function start_len(body, a)
	local fixed = 2 * a + 12
	if body:len() < fixed then
		return fixed
	end
	local n = body(2 * a + 10, 1):uint()
	local len = fixed + a * n
	if a == 4 and body(2 * a + 8, 1):uint() == 4 then
		len = len + 4 + 8 * n
	end
	return len
end

-- Body lengths of sections 2.2, 9.2 and 11, from the fixed part's counts;
-- a is the address length of the family (4 or 16). With body nil: the
-- fixed part only.
local function expected_len(mtype, body, a)
	if body == nil then
		return ({ [1] = 2 * a + 12, [2] = a + 16, [3] = a + 8,
			[4] = a + 16, [5] = 40, [6] = 4, [7] = 12, [8] = 44,
			[9] = 4, [10] = 4, [11] = 20 })[mtype]
	end
	if mtype == 1 then
		return start_len(body, a)
	elseif mtype == 2 or mtype == 4 then
		return a + 16
	elseif mtype == 3 then
		return a + 8
	elseif mtype == 5 then
		if body:len() < 40 then return 40 end
		return 40 + (a + 20) * body(36, 2):uint()
	elseif mtype == 6 then
		-- records say their own lengths: what they add up to
		if body:len() < 4 then return 4 end
		local off, n = 4, body(0, 2):uint()
		for _ = 1, n do
			if off + 4 > body:len() then return off + 8 end
			off = off + math.max(body(off + 2, 2):uint(), 8)
		end
		return off
	elseif mtype == 7 then
		if body:len() < 12 then return 12 end
		local off, n = 12, body(8, 2):uint()
		for _ = 1, n do
			if off + 2 > body:len() then return off + 16 end
			off = off + 12 + (body(off + 1, 1):uint() == 6 and 16 or 4)
		end
		return off
	elseif mtype == 8 then
		return 44
	elseif mtype == 9 then
		if body:len() < 4 then return 4 end
		return 4 + (a + 20) * body(0, 2):uint()
	elseif mtype == 10 then
		return 4
	elseif mtype == 11 then
		if body:len() < 20 then return 20 end
		return 20 + (a + 4) * body(8, 2):uint()
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

local function add_status(tree, tvb)
	local st = tvb:uint()
	local si = tree:add(f.status, tvb)
	if STATUS[st] == nil then
		si:add_proto_expert_info(e.value, "Status 5..255 is malformed")
	end
	return st
end

-- ---------------------------------------------------------------------
-- Bodies
-- ---------------------------------------------------------------------

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
	local udp = ""
	local u = q + 12 + a * n
	if a == 4 and encap == 4 and u + 4 <= body:len() then
		-- 2.3.1: the UDP tunnel to the NAT in front of each CoA
		local pi = tree:add(f.udp_src_port, body(u, 2))
		if body(u, 2):uint() == 0 then
			pi:add_proto_expert_info(e.value, "UDP Source Port 0")
		end
		local nh = body(u + 2, 1):uint()
		local hi = tree:add(f.udp_next_header, body(u + 2, 1))
		if NEXT_HEADERS[nh] == nil then
			hi:add_proto_expert_info(e.value,
				"UDP Next Header must be 4, 47 or 55")
		end
		add_reserved(tree, body(u + 3, 1))
		local nats = {}
		for i = 0, n - 1 do
			local off = u + 4 + 8 * i
			if off + 8 > body:len() then
				break
			end
			add_addr(tree, f.nat_addr, f.nat_addr, body(off, 4),
				"NAT Address")
			local npi = tree:add(f.nat_port, body(off + 4, 2))
			if body(off + 4, 2):uint() == 0 then
				npi:add_proto_expert_info(e.value, "NAT Port 0")
			end
			add_reserved(tree, body(off + 6, 2))
			nats[#nats + 1] = ip(body(off, 4)) .. ":" ..
				body(off + 4, 2):uint()
		end
		udp = " via UDP " .. table.concat(nats, ",")
	end
	return string.format("%s gen %u coa %s%s", hoa, body(q, 4):uint(),
		table.concat(coas, ","), udp)
end

local function dissect_ack(body, tree, a)
	local hoa = ip(body(0, a))
	add_addr(tree, f.hoa, f.hoa6, body(0, a), "Home Address")
	tree:add(f.generation, body(a, 4))
	local st = add_status(tree, body(a + 4, 1))
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

-- Entries of REPORT and COUNTERS (2.6, 9.5, 11.8).
local function add_entries(body, tree, a, off, n)
	local elen = a + 20
	for i = 0, n - 1 do
		local o = off + elen * i
		if o + elen > body:len() then
			break
		end
		local en = body(o, elen)
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
end

local function dissect_report(body, tree, a)
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
	add_entries(body, tree, a, 40, n)
	return string.format("load %u/%u part %u/%u, %u entr%s", body(4, 4):uint(),
		body(8, 4):uint(), part + 1, parts, n, n == 1 and "y" or "ies")
end

-- BATCH (11.2): records of their own family, each a START or a STOP.
local function dissect_batch(body, tree, _)
	local n = body(0, 2):uint()
	local ni = tree:add(f.n_records, body(0, 2))
	if n < 1 or n > MAX_RECORDS then
		ni:add_proto_expert_info(e.value, "N Records must be 1..64")
	end
	add_reserved(tree, body(2, 2))
	local off, what = 4, {}
	for i = 1, n do
		if off + 8 > body:len() then
			tree:add_proto_expert_info(e.truncated, string.format(
				"Record %u truncated", i))
			break
		end
		local kind, fam = body(off, 1):uint(), body(off + 1, 1):uint()
		local len = body(off + 2, 2):uint()
		local rlen = math.max(math.min(len, body:len() - off), 8)
		local rt = tree:add(f.record, body(off, rlen))
		rt:set_text(string.format("Record %u: %s", i,
			TYPES[kind] or ("kind " .. kind)))
		local ki = rt:add(f.record_kind, body(off, 1))
		local fi = rt:add(f.record_family, body(off + 1, 1))
		local li = rt:add(f.record_length, body(off + 2, 2))
		local ti = rt:add(f.record_txid, body(off + 4, 4))
		if body(off + 4, 4):uint() == 0 then
			ti:add_proto_expert_info(e.value, "Transaction ID 0")
		end
		if kind ~= 1 and kind ~= 3 then
			ki:add_proto_expert_info(e.value,
				"Record kind must be 1 (START) or 3 (STOP)")
		end
		if fam ~= 4 and fam ~= 6 then
			fi:add_proto_expert_info(e.family)
		end
		if len < 8 or off + len > body:len() then
			li:add_proto_expert_info(e.truncated, string.format(
				"Record length %u, %u octets left", len,
				body:len() - off))
			break
		end
		local a = fam == 6 and 16 or 4
		local rb = len > 8 and body(off + 8, len - 8):tvb() or nil
		local want = kind == 1 and (rb and start_len(rb, a) or 2 * a + 12)
			or a + 8
		if len - 8 ~= want then
			li:add_proto_expert_info(e.type_len, string.format(
				"%s record body of %u octets; its fields say %u",
				TYPES[kind] or "record", len - 8, want))
		end
		if rb ~= nil and (kind == 1 and len - 8 >= 2 * a + 12 or
				kind == 3 and len - 8 >= a + 8) then
			local d = (kind == 1 and dissect_start or dissect_stop)(rb,
				rt, a)
			rt:append_text(" " .. d)
			what[#what + 1] = (kind == 1 and "START " or "STOP ") ..
				d:match("^(%S+)")
		end
		off = off + len
	end
	if off < body:len() then
		tree:add_proto_expert_info(e.type_len, string.format(
			"%u octets after the records", body:len() - off))
	end
	return string.format("%u records: %s", n, table.concat(what, ", "))
end

-- BATCH_ACK (11.3).
local function dissect_batch_ack(body, tree, _)
	tree:add(f.load, body(0, 4))
	tree:add(f.capacity, body(4, 4))
	local n = body(8, 2):uint()
	local ni = tree:add(f.n_records, body(8, 2))
	if n < 1 or n > MAX_RECORDS then
		ni:add_proto_expert_info(e.value, "N Records must be 1..64")
	end
	add_reserved(tree, body(10, 2))
	local off, counts = 12, {}
	for i = 1, n do
		if off + 12 > body:len() then
			tree:add_proto_expert_info(e.truncated, string.format(
				"Ack record %u truncated", i))
			break
		end
		local fam = body(off + 1, 1):uint()
		local a = fam == 6 and 16 or 4
		if off + 12 + a > body:len() then
			tree:add_proto_expert_info(e.truncated, string.format(
				"Ack record %u truncated", i))
			break
		end
		local kind = body(off, 1):uint()
		local rt = tree:add(f.record, body(off, 12 + a))
		local ki = rt:add(f.record_kind, body(off, 1))
		if kind ~= 2 and kind ~= 4 then
			ki:add_proto_expert_info(e.value,
				"Ack record kind must be 2 or 4")
		end
		local fi = rt:add(f.record_family, body(off + 1, 1))
		if fam ~= 4 and fam ~= 6 then
			fi:add_proto_expert_info(e.family)
		end
		local st = add_status(rt, body(off + 2, 1))
		add_reserved(rt, body(off + 3, 1))
		rt:add(f.record_txid, body(off + 4, 4))
		rt:add(f.generation, body(off + 8, 4))
		add_addr(rt, f.hoa, f.hoa6, body(off + 12, a), "Home Address")
		rt:set_text(string.format("Ack record %u: %s %s gen %u %s", i,
			TYPES[kind] or ("kind " .. kind), ip(body(off + 12, a)),
			body(off + 8, 4):uint(), STATUS[st] or ("status " .. st)))
		local s = STATUS[st] or "?"
		counts[s] = (counts[s] or 0) + 1
		off = off + 12 + a
	end
	local c = {}
	for s, k in pairs(counts) do
		c[#c + 1] = k .. " " .. s
	end
	table.sort(c)
	return string.format("%u records (%s) load %u/%u", n,
		table.concat(c, ", "), body(0, 4):uint(), body(4, 4):uint())
end

local function add_features(tree, tvb)
	local fi = tree:add(f.features, tvb)
	fi:add(f.feat_batch, tvb)
	fi:add(f.feat_udp, tvb)
	fi:add(f.feat_ipv6, tvb)
end

-- HEARTBEAT (11.7).
local function dissect_heartbeat(body, tree, _)
	local ii = tree:add(f.interval, body(0, 4))
	if body(0, 4):uint() == 0 then
		ii:add_proto_expert_info(e.value, "Interval 0 is malformed")
	end
	tree:add(f.load, body(4, 4))
	tree:add(f.capacity, body(8, 4))
	tree:add(f.boot_id, body(12, 4))
	local wi = tree:add(f.window, body(16, 2))
	if body(16, 2):uint() == 0 then
		wi:add_proto_expert_info(e.value, "Window 0 is malformed")
	end
	add_features(tree, body(18, 2))
	tree:add(f.digest, body(20, 8))
	tree:add(f.packets, body(28, 8))
	tree:add(f.bytes, body(36, 8))
	return string.format("every %u ms, load %u/%u, window %u",
		body(0, 4):uint(), body(4, 4):uint(), body(8, 4):uint(),
		body(16, 2):uint())
end

-- COUNTERS (11.8).
local function dissect_counters(body, tree, a)
	local max = a == 16 and MAX_COUNTERS6 or MAX_COUNTERS
	local n = body(0, 2):uint()
	local ni = tree:add(f.n_entries, body(0, 2))
	if n < 1 or n > max then
		ni:add_proto_expert_info(e.value, string.format(
			"N Entries must be 1..%u", max))
	end
	add_reserved(tree, body(2, 2))
	add_entries(body, tree, a, 4, n)
	return string.format("%u entr%s", n, n == 1 and "y" or "ies")
end

-- SYNC (11.9).
local function dissect_sync(body, tree, _)
	add_features(tree, body(0, 2))
	add_reserved(tree, body(2, 2))
	return "send INVENTORY"
end

-- INVENTORY (11.9).
local function dissect_inventory(body, tree, a)
	local max = a == 16 and MAX_INVENTORY6 or MAX_INVENTORY
	tree:add(f.load, body(0, 4))
	local part, parts = body(4, 2):uint(), body(6, 2):uint()
	tree:add(f.part, body(4, 2))
	local pi = tree:add(f.parts, body(6, 2))
	if parts < 1 or part >= parts then
		pi:add_proto_expert_info(e.value, "Need Parts >= 1 and Part < Parts")
	end
	local n = body(8, 2):uint()
	local ni = tree:add(f.n_entries, body(8, 2))
	if n > max then
		ni:add_proto_expert_info(e.value, string.format(
			"N Entries must be 0..%u", max))
	end
	add_reserved(tree, body(10, 2))
	tree:add(f.digest, body(12, 8))
	local elen = a + 4
	for i = 0, n - 1 do
		local o = 20 + elen * i
		if o + elen > body:len() then
			break
		end
		local en = body(o, elen)
		local t = tree:add(f.entry, en)
		t:set_text(string.format("Entry %u: %s gen %u", i + 1,
			ip(en(0, a)), en(a, 4):uint()))
		add_addr(t, f.entry_hoa, f.entry_hoa6, en(0, a), "Home Address")
		t:add(f.entry_generation, en(a, 4))
	end
	return string.format("part %u/%u, %u entr%s of %u", part + 1, parts, n,
		n == 1 and "y" or "ies", body(0, 4):uint())
end

local BODY = {
	[1] = dissect_start,
	[2] = dissect_ack,
	[3] = dissect_stop,
	[4] = dissect_ack,
	[5] = dissect_report,
	[6] = dissect_batch,
	[7] = dissect_batch_ack,
	[8] = dissect_heartbeat,
	[9] = dissect_counters,
	[10] = dissect_sync,
	[11] = dissect_inventory,
}

-- ---------------------------------------------------------------------
-- The message
-- ---------------------------------------------------------------------

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
	if FAMILY0[mtype] then
		if fam ~= 0 then
			fi:add_proto_expert_info(e.family, string.format(
				"Family of %s must be 0 (its records say theirs)",
				name))
		end
	elseif fam ~= 4 and fam ~= 6 then
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
	local fixed = expected_len(mtype, nil, a)
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
			if (fam == 4 or fam == 6) and not FAMILY0[mtype] and
			   body ~= nil and
			   blen == expected_len(mtype, body, other) then
				fi:add_proto_expert_info(e.family, string.format(
					"Family %u, but the body has the length of "
					.. "Family %u: %s", fam, fam == 6 and 4 or 6,
					fam == 6 and "a Family other than 4 carries "
					.. "16-octet addresses" or "Family 4 carries "
					.. "4-octet addresses"))
			end
		end
		-- the fixed part must be there; entries, records and CoAs are
		-- cut at what the datagram holds
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
		local key = key_of(tvb(4, 4):uint(), tvb(8, 4):uint())
		local status
		if key == nil then
			status = "no key"
			hi:append_text(" (not verified: no key for this pair)")
		elseif hmac_sha256(key, tvb(0, len - HMAC_LEN):raw()) ==
				tvb(len - HMAC_LEN, HMAC_LEN):raw() then
			status = "good"
			hi:append_text(" [correct]")
		else
			status = "bad"
			hi:append_text(" [incorrect]")
			hi:add_proto_expert_info(e.hmac)
		end
		tree:add(f.hmac_status, tvb(len - HMAC_LEN, HMAC_LEN), status)
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
