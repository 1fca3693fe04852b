using Api.Media;

namespace Api.Tests.Media;

/// <summary>The query of <c>GET /v1/media/{id}/renditions</c>, checked by its validator alone (no server).</summary>
public sealed class SignedRenditionRequestTests
{
    private static bool Valid(int? width, int? height = null, int? dpr = null, string? fit = null) =>
        new SignedRenditionRequestValidator().Validate(new SignedRenditionRequest { Id = "1", Width = width, Height = height, Dpr = dpr, Fit = fit }).IsValid;

    [Fact]
    public void A_width_alone_is_enough()
    {
        Assert.True(Valid(1000));
        Assert.True(Valid(1000, dpr: 2));
        Assert.True(Valid(1200, 900, fit: "cover"));
    }

    [Fact]
    public void A_side_past_the_limit_with_the_device_pixel_ratio_is_refused()
    {
        Assert.False(Valid(5000, dpr: 2));
        Assert.False(Valid(1000, 3000, dpr: 3));
        Assert.False(Valid(null));
    }
}
