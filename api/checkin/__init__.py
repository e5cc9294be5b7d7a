"""Check-in and check-out at the venue: the QR code, attendance and the hours it credits."""
