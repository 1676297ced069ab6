namespace ProductOps.Simulator;

/// <summary>Everything drawn once per user; days are generated from it.</summary>
internal sealed class UserProfile
{
    public required int Index { get; init; }
    public required string UserId { get; init; }
    public required int Plan { get; init; }
    public required int Country { get; init; }

    /// <summary>Day index relative to the window start; negative for users who signed up before.</summary>
    public required int SignupDay { get; init; }

    public required double SessionsPerDay { get; init; }
    public required double PeakHourUtc { get; init; }

    /// <summary>Added to every feedback score.</summary>
    public required double Satisfaction { get; init; }

    public required double ErrorProneness { get; init; }

    /// <summary>Per feature, the first day it is used; int.MaxValue for never.</summary>
    public required int[] AdoptDay { get; init; }

    public bool Churner { get; set; }
    public int DeclineStartDay { get; set; } = int.MaxValue;

    /// <summary>Last active day of a churner.</summary>
    public int ChurnDay { get; set; } = int.MaxValue;

    public bool Cancels { get; set; }
    public int BreakStart { get; set; } = int.MaxValue;
    public int BreakDays { get; set; }

    public bool IsActiveOn(int day) =>
        day >= SignupDay && day <= ChurnDay && (day < BreakStart || day >= BreakStart + BreakDays);

    /// <summary>0 before the decline, rising to 1 on the churn day.</summary>
    public double DeclineOn(int day) =>
        day < DeclineStartDay ? 0.0 : (day - DeclineStartDay + 1) / (double)(ChurnDay - DeclineStartDay + 1);
}
