using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>
/// The IngestService of ingest.proto, bound so that Track's and TrackStream's requests arrive as
/// their bytes (<see cref="TrackPayload"/>) for the gateway's own reader, where the generated
/// binding would first parse them into protobuf's objects. The wire contract is the proto's,
/// unchanged. Shaped like the generated class, which is what ASP.NET Core's gRPC looks for: a
/// base class naming its bind method, and a static <see cref="Descriptor"/> for reflection.
/// </summary>
public static class IngestServiceBinding
{
    /// <summary>The service's full name, as in its calls' paths ("/productops.v1.IngestService/Track").</summary>
    internal const string ServiceName = "productops.v1.IngestService";

    private static readonly Marshaller<TrackPayload> Payload = Marshallers.Create(
        (payload, context) => context.Complete(payload.Span.ToArray()),
        context => TrackPayload.CopyOf(context.PayloadAsReadOnlySequence()));

    private static readonly Method<TrackPayload, TrackResponse> TrackMethod =
        new(MethodType.Unary, ServiceName, "Track", Payload, Protobuf(TrackResponse.Parser));

    private static readonly Method<TrackPayload, TrackResponse> TrackStreamMethod =
        new(MethodType.DuplexStreaming, ServiceName, "TrackStream", Payload, Protobuf(TrackResponse.Parser));

    private static readonly Method<IdentifyRequest, IdentifyResponse> IdentifyMethod =
        new(MethodType.Unary, ServiceName, "Identify", Protobuf(IdentifyRequest.Parser), Protobuf(IdentifyResponse.Parser));

    /// <summary>The service's schema, which the reflection service reads from here.</summary>
    public static ServiceDescriptor Descriptor => IngestService.Descriptor;

    /// <summary>Called by ASP.NET Core's gRPC to find the methods, with no instance: each call gets its own.
    /// Identify's request deserializer never throws (<see cref="MalformedRequests"/>); Track's bytes are read by the intake.</summary>
    public static void Bind(ServiceBinderBase binder, ServiceBase? service)
    {
        binder = new TolerantRequestBinder(binder);
        binder.AddMethod(TrackMethod, service is null ? null : new UnaryServerMethod<TrackPayload, TrackResponse>(service.Track));
        binder.AddMethod(TrackStreamMethod, service is null ? null : new DuplexStreamingServerMethod<TrackPayload, TrackResponse>(service.TrackStream));
        binder.AddMethod(IdentifyMethod, service is null ? null : new UnaryServerMethod<IdentifyRequest, IdentifyResponse>(service.Identify));
    }

    private static Marshaller<T> Protobuf<T>(MessageParser<T> parser)
        where T : IMessage<T> => Marshallers.Create(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    /// <summary>What an implementation of the service overrides.</summary>
    [BindServiceMethod(typeof(IngestServiceBinding), nameof(Bind))]
    public abstract class ServiceBase
    {
        public abstract Task<TrackResponse> Track(TrackPayload request, ServerCallContext context);

        public abstract Task TrackStream(IAsyncStreamReader<TrackPayload> requestStream, IServerStreamWriter<TrackResponse> responseStream, ServerCallContext context);

        public abstract Task<IdentifyResponse> Identify(IdentifyRequest request, ServerCallContext context);
    }
}
