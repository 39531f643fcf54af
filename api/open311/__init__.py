"""Open311 GeoReport v2: other systems file and follow cases through the open civic-issue standard."""
