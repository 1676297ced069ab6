using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using ProductOps.Domain;
using ProductOps.Gateway.Ingest;

namespace ProductOps.Gateway.Errors;

/// <summary>
/// Requests whose bytes protobuf's parser refused. ASP.NET Core's gRPC reads a unary request before
/// any interceptor runs, and answers a deserializer's exception with Unknown and an error-level log
/// with the stack trace, for any caller, authenticated or not. So a request method's deserializer is
/// wrapped here to never throw: for bytes that do not parse it returns an empty message, marked
/// with why; <see cref="MalformedRequestInterceptor"/>, after authentication, turns the mark into
/// InvalidArgument on the field at fault.
/// </summary>
public static class MalformedRequests
{
    // Keyed by the placeholder message itself, so a mark lives exactly as long as its request.
    private static readonly ConditionalWeakTable<object, ValidationFailure> Failures = [];

    /// <summary>The method with a request deserializer that never throws, when its request is a
    /// protobuf message; any other method (Track's raw bytes) as it is.</summary>
    public static Method<TRequest, TResponse> Tolerate<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        if (typeof(TRequest).GetProperty(nameof(IMessage.Descriptor), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not MessageDescriptor descriptor)
        {
            return method;
        }

        var parse = method.RequestMarshaller.ContextualDeserializer;
        var marshaller = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return parse(context);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException) // invalid UTF-8 is a DecoderFallbackException
            {
                var placeholder = (TRequest)descriptor.Parser.ParseFrom(ByteString.Empty);
                Failures.AddOrUpdate(placeholder, Diagnose(descriptor, context.PayloadAsNewBuffer(), e));
                return placeholder;
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    /// <summary>Why the request did not parse, when it did not.</summary>
    public static ValidationFailure? FailureOf(object request) =>
        Failures.TryGetValue(request, out var failure) ? failure : null;

    /// <summary>The first string field, at any depth, that is not UTF-8 (named by its field in the
    /// request, as for Track's events), else where the wire format breaks, else the parser's word.</summary>
    private static ValidationFailure Diagnose(MessageDescriptor descriptor, ReadOnlySpan<byte> bytes, Exception parserError)
    {
        try
        {
            return FirstInvalidUtf8(descriptor, bytes, 0, requestField: null, depth: 0) is { } field
                ? new ValidationFailure(field, EventIntake.NotUtf8)
                : new ValidationFailure("request", $"is not a valid protobuf message: {parserError.Message}");
        }
        catch (RequestValidationException malformed)
        {
            return malformed.Failure; // "request: is not a valid protobuf message: ... at byte n"
        }
    }

    private static string? FirstInvalidUtf8(MessageDescriptor descriptor, ReadOnlySpan<byte> bytes, int offset, string? requestField, int depth)
    {
        // Protobuf's parser refuses deeper nesting on its own; its message says so.
        if (depth > 64)
        {
            return null;
        }

        var reader = new WireReader(bytes, offset);
        while (!reader.AtEnd)
        {
            var tag = reader.ReadTag();
            if ((tag & 7) != WireReader.LengthDelimited || descriptor.FindFieldByNumber((int)(tag >> 3)) is not { } field)
            {
                reader.Skip(tag);
                continue;
            }

            var content = reader.ReadLengthDelimited(out var start);
            var name = requestField ?? field.Name;
            if (field.FieldType == FieldType.String && !Utf8.IsValid(content))
            {
                return name;
            }

            if (field.FieldType == FieldType.Message && FirstInvalidUtf8(field.MessageType, content, start, name, depth + 1) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
