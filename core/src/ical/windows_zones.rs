//! Windows time zone names, as Outlook and Exchange write them in `TZID=`
//! ("W. Europe Standard Time"), mapped to the IANA zone that CLDR's
//! `windowsZones` gives as each name's main zone (territory `001`). The list
//! covers the names in common use; an unknown name is still refused, with a
//! message naming it. The file's own `VTIMEZONE` rules are not read: the IANA
//! zone's rules are the ones applied, which is what CLDR's mapping means.

use chrono_tz::Tz;

/// Windows name (lower case) → IANA zone.
const ZONES: &[(&str, &str)] = &[
    // The Americas.
    ("dateline standard time", "Etc/GMT+12"),
    ("utc-11", "Etc/GMT+11"),
    ("hawaiian standard time", "Pacific/Honolulu"),
    ("alaskan standard time", "America/Anchorage"),
    ("pacific standard time (mexico)", "America/Tijuana"),
    ("pacific standard time", "America/Los_Angeles"),
    ("us mountain standard time", "America/Phoenix"),
    ("mountain standard time (mexico)", "America/Mazatlan"),
    ("mountain standard time", "America/Denver"),
    ("central america standard time", "America/Guatemala"),
    ("central standard time", "America/Chicago"),
    ("central standard time (mexico)", "America/Mexico_City"),
    ("canada central standard time", "America/Regina"),
    ("sa pacific standard time", "America/Bogota"),
    ("eastern standard time (mexico)", "America/Cancun"),
    ("eastern standard time", "America/New_York"),
    ("us eastern standard time", "America/Indiana/Indianapolis"),
    ("atlantic standard time", "America/Halifax"),
    ("venezuela standard time", "America/Caracas"),
    ("sa western standard time", "America/La_Paz"),
    ("pacific sa standard time", "America/Santiago"),
    ("newfoundland standard time", "America/St_Johns"),
    ("e. south america standard time", "America/Sao_Paulo"),
    ("sa eastern standard time", "America/Cayenne"),
    ("argentina standard time", "America/Argentina/Buenos_Aires"),
    ("montevideo standard time", "America/Montevideo"),
    ("utc-02", "Etc/GMT+2"),
    // Europe and Africa.
    ("azores standard time", "Atlantic/Azores"),
    ("cape verde standard time", "Atlantic/Cape_Verde"),
    ("utc", "Etc/UTC"),
    ("gmt standard time", "Europe/London"),
    ("greenwich standard time", "Atlantic/Reykjavik"),
    ("morocco standard time", "Africa/Casablanca"),
    ("w. europe standard time", "Europe/Berlin"),
    ("central europe standard time", "Europe/Budapest"),
    ("romance standard time", "Europe/Paris"),
    ("central european standard time", "Europe/Warsaw"),
    ("w. central africa standard time", "Africa/Lagos"),
    ("gtb standard time", "Europe/Bucharest"),
    ("e. europe standard time", "Europe/Chisinau"),
    ("fle standard time", "Europe/Kiev"),
    ("egypt standard time", "Africa/Cairo"),
    ("south africa standard time", "Africa/Johannesburg"),
    ("kaliningrad standard time", "Europe/Kaliningrad"),
    ("turkey standard time", "Europe/Istanbul"),
    ("belarus standard time", "Europe/Minsk"),
    ("russian standard time", "Europe/Moscow"),
    ("e. africa standard time", "Africa/Nairobi"),
    // The Middle East and Asia.
    ("jordan standard time", "Asia/Amman"),
    ("middle east standard time", "Asia/Beirut"),
    ("syria standard time", "Asia/Damascus"),
    ("israel standard time", "Asia/Jerusalem"),
    ("arabic standard time", "Asia/Baghdad"),
    ("arab standard time", "Asia/Riyadh"),
    ("iran standard time", "Asia/Tehran"),
    ("arabian standard time", "Asia/Dubai"),
    ("azerbaijan standard time", "Asia/Baku"),
    ("georgian standard time", "Asia/Tbilisi"),
    ("caucasus standard time", "Asia/Yerevan"),
    ("afghanistan standard time", "Asia/Kabul"),
    ("west asia standard time", "Asia/Tashkent"),
    ("ekaterinburg standard time", "Asia/Yekaterinburg"),
    ("pakistan standard time", "Asia/Karachi"),
    ("india standard time", "Asia/Kolkata"),
    ("sri lanka standard time", "Asia/Colombo"),
    ("nepal standard time", "Asia/Kathmandu"),
    ("central asia standard time", "Asia/Bishkek"),
    ("bangladesh standard time", "Asia/Dhaka"),
    ("myanmar standard time", "Asia/Yangon"),
    ("se asia standard time", "Asia/Bangkok"),
    ("n. central asia standard time", "Asia/Novosibirsk"),
    ("north asia standard time", "Asia/Krasnoyarsk"),
    ("china standard time", "Asia/Shanghai"),
    ("north asia east standard time", "Asia/Irkutsk"),
    ("singapore standard time", "Asia/Singapore"),
    ("taipei standard time", "Asia/Taipei"),
    ("ulaanbaatar standard time", "Asia/Ulaanbaatar"),
    ("tokyo standard time", "Asia/Tokyo"),
    ("korea standard time", "Asia/Seoul"),
    ("yakutsk standard time", "Asia/Yakutsk"),
    ("vladivostok standard time", "Asia/Vladivostok"),
    ("magadan standard time", "Asia/Magadan"),
    // Australia and the Pacific.
    ("w. australia standard time", "Australia/Perth"),
    ("cen. australia standard time", "Australia/Adelaide"),
    ("aus central standard time", "Australia/Darwin"),
    ("e. australia standard time", "Australia/Brisbane"),
    ("aus eastern standard time", "Australia/Sydney"),
    ("tasmania standard time", "Australia/Hobart"),
    ("west pacific standard time", "Pacific/Port_Moresby"),
    ("central pacific standard time", "Pacific/Guadalcanal"),
    ("utc+12", "Etc/GMT-12"),
    ("new zealand standard time", "Pacific/Auckland"),
    ("fiji standard time", "Pacific/Fiji"),
    ("tonga standard time", "Pacific/Tongatapu"),
    ("samoa standard time", "Pacific/Apia"),
    ("line islands standard time", "Pacific/Kiritimati"),
];

/// The IANA zone for a Windows time zone name (case-insensitive), if known.
pub fn iana(windows_name: &str) -> Option<Tz> {
    let name = windows_name.trim().to_ascii_lowercase();
    ZONES
        .iter()
        .find(|(windows, _)| *windows == name)
        .and_then(|(_, zone)| zone.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_windows_names_map_to_their_iana_zones() {
        assert_eq!(
            iana("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            iana(" pacific standard time "),
            Some(chrono_tz::America::Los_Angeles)
        );
        assert_eq!(
            iana("Romance Standard Time"),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(
            iana("AUS Eastern Standard Time"),
            Some(chrono_tz::Australia::Sydney)
        );
        assert_eq!(iana("UTC"), Some(chrono_tz::Etc::UTC));
        assert_eq!(iana("Mars Standard Time"), None);
    }

    #[test]
    fn every_listed_zone_exists() {
        for (windows, zone) in ZONES {
            assert!(zone.parse::<Tz>().is_ok(), "{windows}: {zone}");
            assert_eq!(
                windows.to_ascii_lowercase(),
                *windows,
                "lower case: {windows}"
            );
        }
    }
}
