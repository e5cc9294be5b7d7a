"""Calendar feeds (iCalendar, RFC 5545) that calendar apps subscribe to."""
