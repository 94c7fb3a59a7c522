package contacts

// zoneCountry maps the time zones of the countries people usually return to
// from this programme (North and West Africa) to their country code. The
// registry has no "country of return" field; a returnee's time zone is set
// per returnee where it differs from the office's, so it is the best sign of
// where they live. A zone not listed gives "", and the book's default.
var zoneCountry = map[string]string{
	"Africa/Casablanca": "MA", "Africa/El_Aaiun": "MA", "Africa/Algiers": "DZ", "Africa/Tunis": "TN",
	"Africa/Tripoli": "LY", "Africa/Cairo": "EG", "Africa/Nouakchott": "MR", "Africa/Dakar": "SN",
	"Africa/Banjul": "GM", "Africa/Bissau": "GW", "Africa/Conakry": "GN", "Africa/Freetown": "SL",
	"Africa/Monrovia": "LR", "Africa/Abidjan": "CI", "Africa/Bamako": "ML", "Africa/Ouagadougou": "BF",
	"Africa/Niamey": "NE", "Africa/Accra": "GH", "Africa/Lome": "TG", "Africa/Porto-Novo": "BJ",
	"Africa/Lagos": "NG", "Africa/Douala": "CM", "Africa/Ndjamena": "TD", "Africa/Khartoum": "SD",
}

// CountryOfZone returns the country code of an IANA time zone, or "".
func CountryOfZone(zone string) string { return zoneCountry[zone] }

// ForReturnee returns the contacts for a returnee living in time zone zone
// (empty: the office's): that country's when the book has it, else the
// default country's.
func (b *Book) ForReturnee(zone string) map[string]string {
	return b.For(CountryOfZone(zone))
}
