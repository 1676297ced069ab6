using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace ProductOps.Gateway.Tests;

/// <summary>Calls with the request's bytes as given, for encodings protobuf's API cannot write
/// (truncated messages, strings that are not UTF-8). The response is not decoded.</summary>
public static class RawCalls
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static async Task<byte[]> UnaryAsync(GrpcChannel channel, string service, string method, byte[] request, Metadata headers)
    {
        var call = new Method<byte[], byte[]>(MethodType.Unary, $"productops.v1.{service}", method, Bytes, Bytes);
        return await channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(headers), request);
    }

    /// <summary>Opens a server-streaming call and waits for its first message or its end.</summary>
    public static async Task<bool> ServerStreamingFirstAsync(GrpcChannel channel, string service, string method, byte[] request, Metadata headers)
    {
        var call = new Method<byte[], byte[]>(MethodType.ServerStreaming, $"productops.v1.{service}", method, Bytes, Bytes);
        using var streaming = channel.CreateCallInvoker().AsyncServerStreamingCall(call, null, new CallOptions(headers), request);
        return await streaming.ResponseStream.MoveNext(CancellationToken.None);
    }

    /// <summary>A message of length-delimited fields, in the order given.</summary>
    public static byte[] Message(params (int Field, byte[] Bytes)[] fields)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var (field, bytes) in fields)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(bytes));
        }

        output.Flush();
        return buffer.ToArray();
    }
}
