"""爱心商家联盟: volunteers' points, earned from approved check-in hours and redeemed at
caring merchants."""
