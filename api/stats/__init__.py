"""Statistics of the platform for officials and the big screen."""
