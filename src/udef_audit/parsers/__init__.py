"""Pure parsers: functions of bytes, safe on hostile input; they never import rules or the engine."""
